/**
 * aws mode reads MEDIA_TABLE and MEDIA_BUCKET once, in AppConfig, and hands
 * them to the adapters: a missing one fails the layer naming the variable.
 */
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import { AwsStorageLayer } from "../../src/aws/AwsStorageLayer.ts"
import { AppConfig } from "../../src/config/AppConfig.ts"

const build = (env: Record<string, string>) =>
  Layer.build(AwsStorageLayer.pipe(
    Layer.provide(AppConfig.layer),
    Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord({ MEDIA_MODE: "aws", AWS_REGION: "us-east-1", ...env })))
  )).pipe(Effect.scoped, Effect.flip)

describe("AwsStorageLayer", () => {
  it.effect("fails to build without MEDIA_TABLE or MEDIA_BUCKET, naming the one that is missing", () =>
    Effect.gen(function*() {
      assert.include(String(yield* build({ MEDIA_BUCKET: "media" })), "MEDIA_TABLE")
      assert.include(String(yield* build({ MEDIA_TABLE: "media" })), "MEDIA_BUCKET")
    }))
})
