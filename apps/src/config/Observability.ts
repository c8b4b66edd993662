/**
 * How every process of the service logs: one JSON object per line (for log
 * shippers), at the level `MEDIA_LOG_LEVEL` sets (default `info`), and no
 * spans (no trace exporter is configured, so spans would be made and dropped:
 * about a tenth of a request's CPU). Used by the server and the Lambdas alike.
 */
import { Config, Effect, Layer, Logger, type LogLevel, References } from "effect"

const levels: ReadonlyArray<readonly [string, LogLevel.LogLevel]> = [
  ["trace", "Trace"],
  ["debug", "Debug"],
  ["info", "Info"],
  ["warn", "Warn"],
  ["error", "Error"],
  ["none", "None"]
]

/** `MEDIA_LOG_LEVEL`, case-insensitive; anything else fails start-up, naming the choices. */
export const logLevel = Effect.gen(function*() {
  const raw = yield* Config.String("MEDIA_LOG_LEVEL").pipe(Config.withDefault("info"))
  const found = levels.find(([name]) => name === raw.trim().toLowerCase())
  if (found === undefined) {
    return yield* Effect.fail(new Error(`MEDIA_LOG_LEVEL must be one of ${levels.map(([name]) => name).join(", ")}`))
  }
  return found[1]
})

export const ObservabilityLayer = Layer.mergeAll(
  Logger.layer([Logger.consoleJson]),
  Layer.effect(References.MinimumLogLevel, logLevel),
  Layer.succeed(References.TracerEnabled, false)
)
