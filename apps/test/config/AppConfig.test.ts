import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit } from "effect"
import { appConfig } from "../../src/config/AppConfig.ts"

const read = (env: Record<string, string>) =>
  appConfig.pipe(Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord(env)))

describe("appConfig processing settings", () => {
  it.effect("default to 2 images at once within 1024 MiB", () =>
    Effect.gen(function*() {
      const config = yield* read({})
      assert.deepStrictEqual([config.processingConcurrency, config.processingMemoryMb], [2, 1024])
    }))

  it.effect("come from MEDIA_PROCESSING_CONCURRENCY and MEDIA_PROCESSING_MEMORY_MB", () =>
    Effect.gen(function*() {
      const config = yield* read({ MEDIA_PROCESSING_CONCURRENCY: "1", MEDIA_PROCESSING_MEMORY_MB: "512" })
      assert.deepStrictEqual([config.processingConcurrency, config.processingMemoryMb], [1, 512])
    }))

  it.effect("refuse zero, negatives and non-integers", () =>
    Effect.gen(function*() {
      for (const env of [
        { MEDIA_PROCESSING_CONCURRENCY: "0" },
        { MEDIA_PROCESSING_MEMORY_MB: "-5" },
        { MEDIA_PROCESSING_MEMORY_MB: "1.5" },
        { MEDIA_PROCESSING_CONCURRENCY: "two" }
      ]) {
        assert.isTrue(Exit.isFailure(yield* Effect.exit(read(env))), JSON.stringify(env))
      }
    }))
})
