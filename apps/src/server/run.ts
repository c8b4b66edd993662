/**
 * Runs the server until SIGINT/SIGTERM; imported by main.ts once the compile cache is on,
 * so that every module after this one is compiled through it.
 */
import { Cause, Exit, Layer } from "effect"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { ServerLayer } from "./ServerLayer.ts"

Layer.launch(ServerLayer).pipe(NodeRuntime.runMain({
  // SIGINT/SIGTERM end in an interruption after in-flight work finished: a clean exit.
  teardown: (exit, onExit) =>
    onExit(Exit.isSuccess(exit) || Cause.hasInterruptsOnly(exit.cause) ? 0 : 1)
}))
