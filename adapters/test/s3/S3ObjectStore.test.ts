import { assert, describe, layer } from "@effect/vitest"
import { ObjectStore } from "@media-object-storage/core/ports/ObjectStore"
import { Effect, Layer, Option } from "effect"
import { S3rverTest } from "../../../test/support/s3rver.ts"
import { objectCreatedRecords } from "../../src/s3/S3Event.ts"
import { layerClient } from "../../src/s3/S3ObjectStore.ts"
import { decodePolicy, postForm } from "./postForm.ts"

const StoreLayer = Layer.unwrap(
  Effect.gen(function*() {
    const s3 = yield* S3rverTest
    return layerClient({ bucket: s3.bucket, client: s3.clientConfig })
  })
).pipe(Layer.provideMerge(S3rverTest.layer({ bucket: "media-test" })))

const policy = (key: string, expiresAt: number) => ({
  key,
  contentType: "image/png",
  minBytes: 1,
  maxBytes: 100,
  expiresAt
})

describe("S3ObjectStore (s3rver)", () => {
  layer(StoreLayer, { timeout: 60_000 })((it) => {
    it.effect("signs a POST policy that pins key, bucket, Content-Type, size range and a 15 minute expiry", () =>
      Effect.gen(function*() {
        const store = yield* ObjectStore
        const s3 = yield* S3rverTest
        const target = yield* store.presignUpload(policy("originals/acc/file-1", 15 * 60))
        assert.strictEqual(target.url, `${s3.endpoint}/media-test`)
        assert.strictEqual(target.fields.key, "originals/acc/file-1")
        assert.strictEqual(target.fields["Content-Type"], "image/png")
        assert.strictEqual(target.fields["X-Amz-Algorithm"], "AWS4-HMAC-SHA256")
        assert.match(target.fields["X-Amz-Signature"] ?? "", /^[0-9a-f]{64}$/)

        const decoded = decodePolicy(target.fields.Policy ?? "")
        const conditions = decoded.conditions.map((c) => JSON.stringify(c))
        assert.include(conditions, JSON.stringify({ key: "originals/acc/file-1" }))
        assert.include(conditions, JSON.stringify({ bucket: "media-test" }))
        assert.include(conditions, JSON.stringify(["eq", "$Content-Type", "image/png"]))
        assert.include(conditions, JSON.stringify(["content-length-range", 1, 100]))
        assert.notInclude(conditions, JSON.stringify(["starts-with", "$key", "originals/acc/"]))
        // Both stamps come from the signer's clock: the policy lives exactly as long as asked.
        const signedAt = Date.parse((target.fields["X-Amz-Date"] ?? "").replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, "$1-$2-$3T$4:$5:$6Z"))
        assert.strictEqual((Date.parse(decoded.expiration) - signedAt) / 1000, 15 * 60)
      }))

    it.effect("accepts a real multipart POST of the signed form and reports ObjectCreated:Post", () =>
      Effect.gen(function*() {
        const store = yield* ObjectStore
        const s3 = yield* S3rverTest
        const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4])
        const target = yield* store.presignUpload(policy("originals/acc/posted", 15 * 60))
        const response = yield* postForm(target, bytes, "image/png")
        assert.strictEqual(response.status, 204)

        assert.deepStrictEqual(yield* store.get("originals/acc/posted"), Option.some(bytes))
        const info = yield* store.head("originals/acc/posted")
        assert.deepStrictEqual(info, Option.some({ size: 8, contentType: "image/png" }))

        const event = yield* s3.takeEvent
        const created = yield* objectCreatedRecords(event)
        assert.deepStrictEqual(created, [{ bucket: "media-test", key: "originals/acc/posted", size: 8 }])
      }))

    it.effect("round-trips a 1 MiB put byte for byte", () =>
      Effect.gen(function*() {
        const store = yield* ObjectStore
        const bytes = new Uint8Array(1024 * 1024).map((_, i) => (i * 31) % 251)
        yield* store.put("images/acc/big/1.jpg", bytes, "image/jpeg")
        const back = yield* store.get("images/acc/big/1.jpg")
        assert.isTrue(Option.isSome(back))
        assert.strictEqual(Option.getOrThrow(back).length, bytes.length)
        assert.isTrue(Buffer.from(Option.getOrThrow(back)).equals(Buffer.from(bytes)))
        assert.deepStrictEqual(yield* store.head("images/acc/big/1.jpg"), Option.some({ size: bytes.length, contentType: "image/jpeg" }))
      }))

    it.effect("reports a missing object as none and deletes idempotently", () =>
      Effect.gen(function*() {
        const store = yield* ObjectStore
        assert.isTrue(Option.isNone(yield* store.get("nothing/here")))
        assert.isTrue(Option.isNone(yield* store.head("nothing/here")))
        yield* store.put("thumbnails/acc/t/1.jpg", new Uint8Array([1]), "image/jpeg")
        yield* store.delete("thumbnails/acc/t/1.jpg")
        yield* store.delete("thumbnails/acc/t/1.jpg")
        assert.isTrue(Option.isNone(yield* store.get("thumbnails/acc/t/1.jpg")))
      }))
  })
})
