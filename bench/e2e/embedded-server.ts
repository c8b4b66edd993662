/**
 * The embedded server (test/load/EmbeddedServer.ts) as a child process of a
 * benchmark: sends its `EmbeddedServerInfo` to the parent over IPC once listening.
 * Asked `"clock"`, it answers `{ clock: µs }` from its monotonic clock (the clock of
 * `--cpu-prof` sample times), so a benchmark can cut a profile to its measured window.
 */
import { Effect, Layer } from "effect"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { EmbeddedServer, layerEphemeral } from "../../test/load/EmbeddedServer.ts"

process.on("message", (message) => {
  if (message === "clock") process.send?.({ clock: Number(process.hrtime.bigint() / 1000n) })
})

const report = Layer.effectDiscard(Effect.map(EmbeddedServer, (info) => process.send?.(info)))

Layer.launch(Layer.provide(report, layerEphemeral)).pipe(NodeRuntime.runMain)
