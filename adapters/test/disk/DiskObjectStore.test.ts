import { assert, describe, it, layer } from "@effect/vitest"
import { ObjectStore } from "@media-object-storage/core/ports/ObjectStore"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { Effect, Option, Result } from "effect"
import fc from "fast-check"
import { existsSync, mkdirSync, readdirSync, renameSync, utimesSync, writeFileSync } from "node:fs"
import { isAbsolute, join, relative, resolve, sep } from "node:path"
import { checkWritable, removeDeadTemps } from "../../src/disk/DiskObjectStore.ts"
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

describe("DiskObjectStore housekeeping", () => {
  // Live clock: idleness is measured against the files' real modification times.
  layer(diskStoreLayer(), { excludeTestServices: true })((it) => {
    it.effect("removes temp files idle past the bound, keeps fresh ones and every object", () =>
      Effect.gen(function*() {
        const store = yield* ObjectStore
        const root = yield* StoreRoot
        yield* store.put("originals/acc/kept", new Uint8Array([1]), "image/png")
        const dir = join(root, "originals/acc")
        const dead = join(dir, ".dead-upload.k3j2h1.tmp")
        const live = join(dir, ".live-upload.9x8y7z.tmp")
        writeFileSync(dead, new Uint8Array(64))
        writeFileSync(live, new Uint8Array(64))
        const anHourAgo = new Date(Date.now() - 3600_000)
        utimesSync(dead, anHourAgo, anHourAgo)
        const removed = yield* removeDeadTemps(root, { under: ["originals"], idleFor: "15 minutes" })
        assert.strictEqual(removed, 1)
        assert.deepStrictEqual(readdirSync(dir).sort(), [".kept.meta.json", ".live-upload.9x8y7z.tmp", "kept"])
        assert.isTrue(Option.isSome(yield* store.head("originals/acc/kept")))
        // At start-up nothing is live: every temp goes, in every folder.
        writeFileSync(join(root, ".x.1.tmp"), new Uint8Array(1))
        assert.strictEqual(yield* removeDeadTemps(root), 2)
        assert.deepStrictEqual(readdirSync(dir).sort(), [".kept.meta.json", "kept"])
      }).pipe(Effect.provide(NodeFileSystem.layer)))

    it.effect("reports the store unusable when its directory is gone, and usable again once it is back", () =>
      Effect.gen(function*() {
        const root = yield* StoreRoot
        yield* checkWritable(root)
        renameSync(root, `${root}.away`)
        const error = yield* Effect.flip(checkWritable(root))
        assert.strictEqual(error._tag, "StorageError")
        renameSync(`${root}.away`, root)
        yield* checkWritable(root)
        assert.deepStrictEqual(readdirSync(root).filter((name) => name.endsWith(".tmp")), [], "the probe leaves nothing")
        assert.isTrue(existsSync(root))
      }).pipe(Effect.provide(NodeFileSystem.layer)))
  })
})
