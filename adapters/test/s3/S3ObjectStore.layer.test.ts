import { assert, describe, layer } from "@effect/vitest"
import { ObjectStore } from "@media-object-storage/core/ports/ObjectStore"
import { ConfigProvider, Effect, Layer, Option } from "effect"
import { processEnv } from "../../../test/support/processEnv.ts"
import { S3rverTest } from "../../../test/support/s3rver.ts"
import { layer as s3Layer } from "../../src/s3/S3ObjectStore.ts"

/**
 * The aws-mode layer, as deployed: the bucket it is given (the app reads
 * MEDIA_BUCKET), the rest through the SDK's own variables.
 */
const withEnv = (vars: Record<string, string>) =>
  Layer.mergeAll(
    // Effect's Config reads through this; the SDK reads process.env itself.
    ConfigProvider.layer(ConfigProvider.fromEnv({ env: vars })),
    Layer.effectDiscard(processEnv(vars))
  )



const EnvLayer = Layer.unwrap(Effect.gen(function*() {
  const s3 = yield* S3rverTest
  return s3Layer(s3.bucket).pipe(Layer.provide(withEnv({
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "S3RVER",
    AWS_SECRET_ACCESS_KEY: "S3RVER"
  })))
})).pipe(Layer.provideMerge(S3rverTest.layer({ bucket: "env-bucket" })))

describe("S3ObjectStore.layer (s3rver via AWS_ENDPOINT_URL_S3)", () => {
  layer(EnvLayer, { timeout: 60_000 })((it) => {
    it.effect("reads MEDIA_BUCKET and the SDK's endpoint, region and credential variables", () =>
      Effect.gen(function*() {
        const store = yield* ObjectStore
        const s3 = yield* S3rverTest
        yield* store.put("images/env/1.jpg", new Uint8Array([1, 2, 3]), "image/jpeg")
        assert.deepStrictEqual(yield* store.get("images/env/1.jpg"), Option.some(new Uint8Array([1, 2, 3])))
        const target = yield* store.presignUpload({
          key: "originals/env/x",
          contentType: "image/png",
          minBytes: 1,
          maxBytes: 10,
          expiresAt: 900
        })
        assert.strictEqual(target.url, `${s3.endpoint}/env-bucket`)
      }))

    it.effect("addresses a custom endpoint path-style (bucket in the path, not the host name)", () =>
      Effect.gen(function*() {
        const store = yield* ObjectStore
        // Presigning makes no request, so the endpoint need not exist.
        const target = yield* store.presignUpload({
          key: "originals/env/y",
          contentType: "image/png",
          minBytes: 1,
          maxBytes: 10,
          expiresAt: 900
        })
        assert.strictEqual(target.url, "http://minio.internal:9000/other-bucket")
      }).pipe(
        // fresh: the suite layer already built `s3Layer` in this memo map.
        Effect.provide(Layer.fresh(s3Layer("other-bucket")).pipe(Layer.provide(withEnv({
          AWS_ENDPOINT_URL_S3: "http://minio.internal:9000",
          AWS_REGION: "eu-north-1",
          AWS_ACCESS_KEY_ID: "KEY",
          AWS_SECRET_ACCESS_KEY: "SECRET"
        }))))
      ))
  })
})
