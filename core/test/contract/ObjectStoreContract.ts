/**
 * The ObjectStore contract: every implementation (memory, disk, S3) runs this
 * suite. Each test uses fresh random keys, so one shared bucket is enough.
 */
import { assert, layer } from "@effect/vitest"
import { Effect, type Layer, Option } from "effect"
import { ObjectStore } from "../../src/ports/ObjectStore.ts"

const fresh = () => globalThis.crypto.randomUUID()
const originalKey = () => `originals/contract-${fresh().slice(0, 8)}/${fresh()}`
const bytes = (...values: ReadonlyArray<number>) => new Uint8Array(values)
/** Every byte value, twice, so encodings that mangle binary (UTF-8, CRLF) show up. */
const allBytes = () => {
  const b = new Uint8Array(512)
  for (let i = 0; i < b.length; i++) b[i] = i % 256
  return b
}
const same = (actual: Option.Option<Uint8Array>, expected: Uint8Array) => {
  assert.isTrue(Option.isSome(actual), "object is missing")
  if (Option.isSome(actual)) assert.deepStrictEqual([...actual.value], [...expected])
}

export const objectStoreContract = (name: string, storeLayer: Layer.Layer<ObjectStore, unknown>) =>
  layer(storeLayer, { timeout: "60 seconds" })(`ObjectStore contract: ${name}`, (it) => {
    it.effect("stores binary bytes intact and reports their size and type", () =>
      Effect.gen(function*() {
        const store = yield* ObjectStore
        const key = `images/contract/${fresh()}/1.jpg`
        const data = allBytes()
        yield* store.put(key, data, "image/jpeg")
        same(yield* store.get(key), data)
        const info = yield* store.head(key)
        assert.isTrue(Option.isSome(info))
        if (Option.isSome(info)) {
          assert.strictEqual(info.value.size, data.length)
          if (info.value.contentType !== undefined) assert.strictEqual(info.value.contentType, "image/jpeg")
        }
      }))

    it.effect("does not let a caller's later change of the buffer alter the stored bytes", () =>
      Effect.gen(function*() {
        const store = yield* ObjectStore
        const key = originalKey()
        const data = bytes(1, 2, 3)
        yield* store.put(key, data, "image/png")
        data[0] = 9
        same(yield* store.get(key), bytes(1, 2, 3))
      }))

    it.effect("overwrites an object with new bytes and type", () =>
      Effect.gen(function*() {
        const store = yield* ObjectStore
        const key = originalKey()
        yield* store.put(key, bytes(1, 2, 3, 4), "image/png")
        yield* store.put(key, bytes(5, 6), "image/gif")
        same(yield* store.get(key), bytes(5, 6))
        const info = yield* store.head(key)
        assert.strictEqual(Option.getOrUndefined(info)?.size, 2)
        const type = Option.getOrUndefined(info)?.contentType
        if (type !== undefined) assert.strictEqual(type, "image/gif")
      }))

    it.effect("answers none for a missing object", () =>
      Effect.gen(function*() {
        const store = yield* ObjectStore
        const key = originalKey()
        assert.isTrue(Option.isNone(yield* store.get(key)))
        assert.isTrue(Option.isNone(yield* store.head(key)))
      }))

    it.effect("deletes idempotently: a missing object and a second delete both succeed", () =>
      Effect.gen(function*() {
        const store = yield* ObjectStore
        const key = originalKey()
        yield* store.delete(key)
        yield* store.put(key, bytes(1), "image/png")
        yield* store.delete(key)
        yield* store.delete(key)
        assert.isTrue(Option.isNone(yield* store.get(key)))
        assert.isTrue(Option.isNone(yield* store.head(key)))
      }))

    it.effect("keeps keys apart, including keys that are prefixes of each other", () =>
      Effect.gen(function*() {
        const store = yield* ObjectStore
        const key = originalKey()
        yield* store.put(key, bytes(1), "image/png")
        yield* store.put(`${key}0`, bytes(2), "image/png")
        yield* store.delete(`${key}0`)
        same(yield* store.get(key), bytes(1))
        assert.isTrue(Option.isNone(yield* store.get(`${key}0`)))
      }))

    it.effect("stores an empty object", () =>
      Effect.gen(function*() {
        const store = yield* ObjectStore
        const key = originalKey()
        yield* store.put(key, new Uint8Array(0), "image/png")
        same(yield* store.get(key), new Uint8Array(0))
        assert.strictEqual(Option.getOrUndefined(yield* store.head(key))?.size, 0)
      }))

    it.effect("presigns an upload whose fields pin the exact key and content type", () =>
      Effect.gen(function*() {
        const store = yield* ObjectStore
        const key = originalKey()
        const target = yield* store.presignUpload({
          key,
          contentType: "image/webp",
          minBytes: 1,
          maxBytes: 1024,
          expiresAt: 4_000_000_000
        })
        assert.isTrue(target.url.length > 0)
        assert.strictEqual(target.fields["key"], key)
        const contentType = Object.entries(target.fields).find(([name]) => name.toLowerCase() === "content-type")
        assert.strictEqual(contentType?.[1], "image/webp")
        // Presigning stores nothing.
        assert.isTrue(Option.isNone(yield* store.head(key)))
      }))
  })
