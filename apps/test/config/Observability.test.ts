import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Layer, References } from "effect"
import { ObservabilityLayer } from "../../src/config/Observability.ts"

const withEnv = (env: Record<string, string>) =>
  Layer.provide(ObservabilityLayer, ConfigProvider.layer(ConfigProvider.fromEnvRecord(env)))

const minimumLevel = (env: Record<string, string>) =>
  Effect.gen(function*() {
    return yield* References.MinimumLogLevel
  }).pipe(Effect.provide(withEnv(env)))

describe("ObservabilityLayer", () => {
  it.effect("logs at info by default, with spans off", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* minimumLevel({}), "Info")
      const tracing = yield* Effect.gen(function*() {
        return yield* References.TracerEnabled
      }).pipe(Effect.provide(withEnv({})))
      assert.isFalse(tracing)
    }))

  it.effect("takes MEDIA_LOG_LEVEL in any case", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* minimumLevel({ MEDIA_LOG_LEVEL: "warn" }), "Warn")
      assert.strictEqual(yield* minimumLevel({ MEDIA_LOG_LEVEL: " DEBUG " }), "Debug")
      assert.strictEqual(yield* minimumLevel({ MEDIA_LOG_LEVEL: "none" }), "None")
    }))

  it.effect("refuses an unknown level, naming the choices", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(minimumLevel({ MEDIA_LOG_LEVEL: "verbose" }))
      assert.isTrue(Exit.isFailure(exit))
      assert.include(String(Exit.isFailure(exit) ? exit.cause : ""), "trace, debug, info, warn, error, none")
    }))
})
