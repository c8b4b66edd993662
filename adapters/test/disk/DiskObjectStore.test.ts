import { assert, describe, it, layer } from "@effect/vitest"
import { ObjectStore } from "@media/core/ports/ObjectStore"
import { Effect, Option, Result } from "effect"
import fc from "fast-check"
import { mkdirSync, readdirSync, writeFileSync } from "node:fs"
import { isAbsolute, join, relative, resolve, sep } from "node:path"
import { objectFiles } from "../../src/disk/ObjectFiles.ts"
import { diskStoreLayer, StoreRoot } from "./testStore.ts"

const badKeys = [
  "",
  "/etc/passwd",
  "../escape",
  "originals/../../escape",
  "originals/./x",
  "originals//x",
  "originals/x/",
  "originals\\..\\x",
  "originals/x\u0000y",
  "originals/.x.meta.json",
  ".hidden",
  "a".repeat(1025)
]

describe("DiskObjectStore keys", () => {
  it("refuses keys that could escape the root or reach the store's own files", () => {
    for (const key of badKeys) assert.isTrue(Result.isFailure(objectFiles("/data/objects", key)), JSON.stringify(key))
    assert.isTrue(Result.isSuccess(objectFiles("/data/objects", "originals/10020/2b1e-é ü+x.jpg")))
  })

  it("maps every accepted key to a file strictly inside the root, and nothing else there", () => {
    const root = "/data/objects"
    const segment = fc.string({ unit: fc.constantFrom("a", "b", ".", "/", "\\", "\u0000", " ", "é", "%"), maxLength: 12 })
    fc.assert(fc.property(segment, (key) => {
      const files = objectFiles(root, key)
      if (Result.isFailure(files)) return
      const rel = relative(root, files.success.data)
      assert.isFalse(rel.startsWith("..") || isAbsolute(rel), key)
      assert.strictEqual(rel.split(sep).join("/"), key)
      assert.isTrue(files.success.meta.startsWith(resolve(root) + sep))
    }), { numRuns: 2000 })
  })
})

describe("DiskObjectStore", () => {
  layer(diskStoreLayer("http://localhost:8080/"))((it) => {
    it.effect("fails with StorageError for a refused key, in every operation", () =>
      Effect.gen(function*() {
        const store = yield* ObjectStore
        for (const op of [
          store.put("../x", new Uint8Array([1]), "image/png"),
          store.get("../x"),
          store.head("a//b"),
          store.delete("/abs"),
          store.presignUpload({ key: "../x", contentType: "image/png", minBytes: 1, maxBytes: 2, expiresAt: 2_000_000_000 })
        ]) {
          const error = yield* Effect.flip(op)
          assert.strictEqual(error._tag, "StorageError")
        }
      }))

    it.effect("keeps objects as plain files under the root, with a hidden sidecar and no temp files left", () =>
      Effect.gen(function*() {
        const store = yield* ObjectStore
        const root = yield* StoreRoot
        yield* store.put("images/acc/f/1.jpg", new Uint8Array([1, 2, 3]), "image/jpeg")
        yield* store.put("images/acc/f/1.jpg", new Uint8Array([4, 5]), "image/jpeg")
        assert.deepStrictEqual(readdirSync(join(root, "images/acc/f")).sort(), [".1.jpg.meta.json", "1.jpg"])
        yield* store.delete("images/acc/f/1.jpg")
        assert.deepStrictEqual(readdirSync(join(root, "images/acc/f")), [])
      }))

    it.effect("treats a directory of deeper keys as no object", () =>
      Effect.gen(function*() {
        const store = yield* ObjectStore
        yield* store.put("thumbnails/acc/g/1.jpg", new Uint8Array([1]), "image/jpeg")
        assert.isTrue(Option.isNone(yield* store.get("thumbnails/acc/g")))
        assert.isTrue(Option.isNone(yield* store.head("thumbnails/acc/g")))
      }))

    it.effect("reports an object without its sidecar with no content type", () =>
      Effect.gen(function*() {
        const store = yield* ObjectStore
        const root = yield* StoreRoot
        mkdirSync(join(root, "originals/acc"), { recursive: true })
        writeFileSync(join(root, "originals/acc/bare"), new Uint8Array([9, 9]))
        assert.deepStrictEqual(yield* store.head("originals/acc/bare"), Option.some({ size: 2, contentType: undefined }))
      }))

    it.effect("targets uploads at <publicUrl>/storage/<bucket>", () =>
      Effect.gen(function*() {
        const store = yield* ObjectStore
        const target = yield* store.presignUpload({
          key: "originals/acc/u",
          contentType: "image/png",
          minBytes: 1,
          maxBytes: 10,
          expiresAt: 900
        })
        assert.strictEqual(target.url, "http://localhost:8080/storage/media")
        assert.match(target.fields["X-Amz-Credential"] ?? "", /^LOCALTESTKEY\/\d{8}\/us-east-1\/s3\/aws4_request$/)
        assert.strictEqual(target.fields.bucket, "media")
      }))
  })
})
