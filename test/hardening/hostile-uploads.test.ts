/**
 * SPEC §6 hostile input, through the whole workflow with the real sharp
 * processor: bombs, polyglots, lying types, truncated, empty and oversized
 * objects end `failed` with the right reason and leave no object; the
 * embedded upload endpoint refuses empty, mis-sized and late uploads.
 */
import { assert, describe, layer } from "@effect/vitest"
import { Context, Effect, Layer, Option } from "effect"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { join } from "node:path"
import * as DiskObjectStore from "@media-object-storage/adapters/disk/DiskObjectStore"
import * as SharpImageProcessor from "@media-object-storage/adapters/sharp/SharpImageProcessor"
import { loadOrCreateLocalKeys } from "@media-object-storage/apps/embedded/LocalKeys"
import type { FailureReason } from "@media-object-storage/core/FileRecord"
import { defaultMediaConfig, MediaConfig } from "@media-object-storage/core/MediaConfig"
import { nowSeconds } from "@media-object-storage/core/nowSeconds"
import * as MemoryFileRepository from "@media-object-storage/core/memory/MemoryFileRepository"
import { imageKey, thumbnailKey } from "@media-object-storage/core/ObjectKeys"
import { FileIds } from "@media-object-storage/core/ports/FileIds"
import { ObjectStore } from "@media-object-storage/core/ports/ObjectStore"
import { postForm } from "../../adapters/test/s3/postForm.ts"
import { fixture, get, postUpload, requestUpload, settled } from "../e2e/client.ts"
import { auth, E2eServer, embeddedServer, workDir } from "../support/servers.ts"
import { freshAccount, objectsOf, recordOf, uploadedFile } from "./support/files.ts"
import { containsText, html, pdf, pngBomb, svg, utf8 } from "./support/hostileBytes.ts"
import { layerRecordingMemory } from "./support/RecordingStore.ts"
import { handleObjectCreated } from "../../core/test/usecases/processing.ts"

const photo = fixture("orientation/Landscape_1.jpg")
const concat = (...parts: ReadonlyArray<Uint8Array>) => new Uint8Array(Buffer.concat(parts))

/** Bytes, and the reason processing must fail with. */
const rejected: ReadonlyArray<readonly [string, Uint8Array, FailureReason]> = [
  ["a PNG whose header claims 60000x60000 (decompression bomb)", pngBomb(60_000, 60_000), "too_many_pixels"],
  ["a PNG claiming 20000x5001, just over 100 megapixels", pngBomb(20_000, 5_001), "too_many_pixels"],
  ["an HTML page declared image/jpeg", html, "unsupported_format"],
  ["an SVG with a script declared image/jpeg", svg, "unsupported_format"],
  ["a PDF declared image/jpeg", pdf, "unsupported_format"],
  ["an AVIF image", fixture("tricky/pitm.avif"), "unsupported_format"],
  ["plain text starting like a JPEG marker in ASCII", utf8("FFD8FFE0 not really a jpeg"), "unsupported_format"],
  ["a 0-byte object", new Uint8Array(), "unsupported_format"],
  ["a JPEG signature and nothing else", new Uint8Array([0xff, 0xd8, 0xff]), "corrupt_image"],
  ["a truncated JPEG", photo.slice(0, 4000), "corrupt_image"],
  ["a JPEG with a corrupt header (corpus)", fixture("tricky/corrupt-header.jpg"), "corrupt_image"],
  ["an HTML page with a PNG signature glued in front", concat(pngBomb(1, 1).slice(0, 8), html), "corrupt_image"]
]

const InProcess = Layer.mergeAll(MemoryFileRepository.layerMemory, layerRecordingMemory, SharpImageProcessor.layer, FileIds.layer)

describe("hostile originals through the workflow (real sharp)", () => {
  layer(InProcess, { excludeTestServices: true, timeout: 60_000 })((it) => {
    for (const [name, bytes, reason] of rejected) {
      it.effect(`${name}: failed ${reason}, nothing kept`, () =>
        Effect.gen(function*() {
          const account = freshAccount()
          const file = yield* uploadedFile(account, bytes)
          assert.strictEqual(yield* handleObjectCreated(file.key, file.size), "failed")
          const record = yield* recordOf(account, file.fileId)
          assert.strictEqual(record?.failureReason, reason)
          assert.strictEqual(record?.attempts, 1, "a rejected image is final, never retried")
          assert.deepStrictEqual(yield* objectsOf(account, file.fileId), [])
        }))
    }

    it.effect("bytes over MEDIA_MAX_UPLOAD_BYTES that bypassed the policy: failed too_large, nothing kept", () =>
      Effect.gen(function*() {
        const account = freshAccount()
        const file = yield* uploadedFile(account, photo)
        assert.strictEqual(yield* handleObjectCreated(file.key, file.size), "failed")
        assert.strictEqual((yield* recordOf(account, file.fileId))?.failureReason, "too_large")
        assert.deepStrictEqual(yield* objectsOf(account, file.fileId), [])
      }).pipe(Effect.provideService(MediaConfig, { ...defaultMediaConfig, maxUploadBytes: photo.length - 1 })))

    it.effect("a JPEG with HTML appended (polyglot) is re-encoded: ready, and no byte of the HTML survives", () =>
      Effect.gen(function*() {
        const account = freshAccount()
        const file = yield* uploadedFile(account, concat(photo, html))
        assert.strictEqual(yield* handleObjectCreated(file.key, file.size), "ready")
        const store = yield* ObjectStore
        for (const key of [imageKey(account, file.fileId, 1), thumbnailKey(account, file.fileId, 1)]) {
          const bytes = Option.getOrThrow(yield* store.get(key))
          assert.deepStrictEqual([...bytes.slice(0, 3)], [0xff, 0xd8, 0xff], key)
          assert.isFalse(containsText(bytes, "<script"), key)
          assert.isFalse(containsText(bytes, "html"), key)
        }
        assert.deepStrictEqual(yield* objectsOf(account, file.fileId), [
          imageKey(account, file.fileId, 1),
          thumbnailKey(account, file.fileId, 1)
        ].sort())
      }))
  })
})

/** The embedded server, and a disk store signing with the server's own storage key (to forge late policies). */
const Embedded = Layer.effectContext(Effect.gen(function*() {
  const dir = yield* workDir
  const server = yield* embeddedServer(dir)
  const dataDir = join(dir, "data")
  const keys = yield* loadOrCreateLocalKeys(dataDir)
  const store = yield* DiskObjectStore.make({ root: join(dataDir, "objects"), publicUrl: server.url, bucket: "media", credentials: keys.storage })
  return Context.make(E2eServer, server).pipe(Context.add(ObjectStore, store))
}).pipe(Effect.provide(NodeFileSystem.layer)))

const s3Code = (body: string) => /<Code>([^<]*)<\/Code>/.exec(body)?.[1]

/** Nothing of the file in storage, and its record still waiting for an upload. */
const nothingStored = (fileId: string) =>
  Effect.gen(function*() {
    const keys = yield* (yield* E2eServer).objectKeys
    assert.deepStrictEqual(keys.filter((k) => k.includes(fileId)), [])
    const reply = yield* get(`/v1/media/${fileId}`)
    assert.strictEqual(reply.json.status, "uploading", reply.text)
  })

describe("hostile uploads through the embedded server", () => {
  layer(Embedded, { excludeTestServices: true, timeout: 60_000 })((it) => {
    const served: ReadonlyArray<readonly [string, Uint8Array, string, FailureReason]> = [
      ["an HTML page declared image/jpeg", html, "image/jpeg", "unsupported_format"],
      ["an SVG declared image/png", svg, "image/png", "unsupported_format"],
      ["a PNG decompression bomb", pngBomb(60_000, 60_000), "image/png", "too_many_pixels"],
      ["a truncated JPEG", photo.slice(0, 4000), "image/jpeg", "corrupt_image"]
    ]
    for (const [name, bytes, type, reason] of served) {
      it.effect(`${name} is stored, then fails ${reason} and leaves no object`, () =>
        Effect.gen(function*() {
          const ticket = yield* requestUpload(`HOSTILE|${type}|R|${reason}`, type)
          const stored = yield* postUpload(ticket, bytes, type)
          assert.strictEqual(stored.status, 204, stored.text)
          const final = yield* settled(ticket.file_id)
          assert.strictEqual(final.status, "failed")
          assert.strictEqual(final.failure_reason, reason)
          const server = yield* E2eServer
          // The original goes just after the final state is written: allow a moment.
          let left: ReadonlyArray<string> = []
          for (let i = 0; i < 50; i++) {
            left = (yield* server.objectKeys).filter((k) => k.includes(ticket.file_id))
            if (left.length === 0) break
            yield* Effect.sleep("100 millis")
          }
          assert.deepStrictEqual(left, [])
        }))
    }

    it.effect("a 0-byte upload is refused by the policy (EntityTooSmall) and nothing is stored", () =>
      Effect.gen(function*() {
        const ticket = yield* requestUpload("HOSTILE|EMPTY|R|D1")
        const reply = yield* postUpload(ticket, new Uint8Array(), "image/jpeg")
        assert.strictEqual(reply.status, 400, reply.text)
        assert.strictEqual(s3Code(reply.text), "EntityTooSmall")
        yield* nothingStored(ticket.file_id)
      }))

    it.effect("bytes that differ from the declared file_size are refused (EntityTooLarge / EntityTooSmall)", () =>
      Effect.gen(function*() {
        const ticket = yield* requestUpload("HOSTILE|SIZE|R|D1", "image/jpeg", auth.writerA, { file_size: 1000 })
        const over = yield* postUpload(ticket, photo.slice(0, 1001), "image/jpeg")
        assert.strictEqual(over.status, 400, over.text)
        assert.strictEqual(s3Code(over.text), "EntityTooLarge")
        const under = yield* postUpload(ticket, photo.slice(0, 999), "image/jpeg")
        assert.strictEqual(under.status, 400, under.text)
        assert.strictEqual(s3Code(under.text), "EntityTooSmall")
        const huge = yield* postUpload(ticket, concat(photo, photo, photo, photo, photo, photo, photo), "image/jpeg")
        assert.strictEqual(huge.status, 400, huge.text)
        assert.strictEqual(s3Code(huge.text), "EntityTooLarge")
        yield* nothingStored(ticket.file_id)
      }))

    it.effect("a late upload (policy already expired) is refused (AccessDenied) and nothing is stored", () =>
      Effect.gen(function*() {
        const ticket = yield* requestUpload("HOSTILE|LATE|R|D1")
        const now = yield* nowSeconds
        const late = yield* (yield* ObjectStore).presignUpload({
          key: ticket.fields["key"]!,
          contentType: "image/jpeg",
          minBytes: 1,
          maxBytes: 2 * 1024 * 1024,
          expiresAt: now - 1
        })
        const reply = yield* postForm(late, photo, "image/jpeg")
        assert.strictEqual(reply.status, 403, reply.body)
        assert.strictEqual(s3Code(reply.body), "AccessDenied")
        yield* nothingStored(ticket.file_id)
      }))

    it.effect("a signed form re-pointed at another key or type is refused", () =>
      Effect.gen(function*() {
        const ticket = yield* requestUpload("HOSTILE|REPOINT|R|D1")
        const other = yield* requestUpload("HOSTILE|REPOINT|R|D2")
        const moved = yield* postUpload(ticket, photo, "image/jpeg", { key: other.fields["key"]! })
        assert.strictEqual(moved.status, 403, moved.text)
        const retyped = yield* postUpload(ticket, photo, "text/html", { "Content-Type": "text/html" })
        assert.strictEqual(retyped.status, 403, retyped.text)
        yield* nothingStored(ticket.file_id)
        yield* nothingStored(other.file_id)
      }))
  })
})
