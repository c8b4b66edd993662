import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Option } from "effect"
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

describe("appConfig JWT settings (both modes)", () => {
  it.effect("are absent without a key, and read once from MEDIA_JWT_* with one", () =>
    Effect.gen(function*() {
      assert.isTrue(Option.isNone((yield* read({ MEDIA_JWT_ISSUER: "https://issuer" })).jwt))
      const config = yield* read({
        MEDIA_JWT_JWKS_URL: "https://issuer/.well-known/jwks.json",
        MEDIA_JWT_ISSUER: "https://issuer",
        MEDIA_JWT_AUDIENCE: "media"
      })
      assert.deepStrictEqual(Option.getOrUndefined(config.jwt), {
        jwksUrl: "https://issuer/.well-known/jwks.json",
        publicKeyPem: undefined,
        issuer: "https://issuer",
        audience: "media"
      })
    }))
})
