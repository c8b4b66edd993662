/**
 * The embedded server (test/load/EmbeddedServer.ts) as a child process of a
 * benchmark: sends its `EmbeddedServerInfo` to the parent over IPC once listening.
 */
import { Effect, Layer } from "effect"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { EmbeddedServer, layerEphemeral } from "../../test/load/EmbeddedServer.ts"

const report = Layer.effectDiscard(Effect.map(EmbeddedServer, (info) => process.send?.(info)))

Layer.launch(Layer.provide(report, layerEphemeral)).pipe(NodeRuntime.runMain)
