/**
 * Core runs on Deno too: this imports every module under core/src and runs a
 * smoke of each with Deno's own test runner (no vitest).
 */
import assert from "node:assert/strict"
import { Effect, Layer, Option, Result, Schema } from "effect"
import * as ContentType from "../../src/ContentType.ts"
import * as Cursors from "../../src/Cursors.ts"
import * as EntityKey from "../../src/EntityKey.ts"
import * as EntityType from "../../src/EntityType.ts"
import * as FileRecord from "../../src/FileRecord.ts"
import * as FileState from "../../src/FileState.ts"
import * as FileView from "../../src/FileView.ts"
import * as Ids from "../../src/Ids.ts"
import * as ImageFormat from "../../src/ImageFormat.ts"
import * as MediaConfig from "../../src/MediaConfig.ts"
import * as MediaErrors from "../../src/MediaErrors.ts"
import * as NowSeconds from "../../src/nowSeconds.ts"
import * as MemoryAuthenticator from "../../src/memory/MemoryAuthenticator.ts"
import * as MemoryFileRepository from "../../src/memory/MemoryFileRepository.ts"
import * as MemoryImageProcessor from "../../src/memory/MemoryImageProcessor.ts"
import * as MemoryObjectStore from "../../src/memory/MemoryObjectStore.ts"
import * as MemoryUrlSigner from "../../src/memory/MemoryUrlSigner.ts"
import * as LayerMemory from "../../src/memory/layerMemory.ts"
import * as ObjectArrived from "../../src/ObjectArrived.ts"
import * as ObjectKeys from "../../src/ObjectKeys.ts"
import * as Authenticator from "../../src/ports/Authenticator.ts"
import * as FileIds from "../../src/ports/FileIds.ts"
import * as FileRepository from "../../src/ports/FileRepository.ts"
import * as ImageProcessor from "../../src/ports/ImageProcessor.ts"
import * as ObjectStore from "../../src/ports/ObjectStore.ts"
import * as UrlSigner from "../../src/ports/UrlSigner.ts"
import * as SortPosition from "../../src/SortPosition.ts"
import * as CommitEvent from "../../src/usecases/commitEvent.ts"
import * as DeleteFile from "../../src/usecases/DeleteFile.ts"
import * as GetFile from "../../src/usecases/GetFile.ts"
import * as Processing from "../../src/usecases/Processing.ts"
import * as ProcessingAttempt from "../../src/usecases/ProcessingAttempt.ts"
import * as MediaFiles from "../../src/usecases/MediaFiles.ts"
import * as ProcessUpload from "../../src/usecases/ProcessUpload.ts"
import * as RequestUpload from "../../src/usecases/RequestUpload.ts"
import * as SearchFiles from "../../src/usecases/SearchFiles.ts"
import * as SweepDue from "../../src/usecases/SweepDue.ts"

const account = "10020" as Ids.AccountId
const T = "shipment_item" as const

const png = (width: number, height: number): Uint8Array => {
  const bytes = new Uint8Array(32)
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  new DataView(bytes.buffer).setUint32(16, width)
  new DataView(bytes.buffer).setUint32(20, height)
  return bytes
}

Deno.test("entity keys round-trip and malformed ones are rejected", () => {
  assert.ok(EntityType.isEntityType(T))
  const parts = ["1RT823V93", "SKU-😀", "DAMAGED", "D1"]
  const key = EntityKey.formatKey(T, parts)
  assert.ok(Result.isSuccess(key))
  assert.deepEqual(EntityKey.keyParts(key.success), parts)
  for (const bad of ["S1|SKU", "S1||R|D", "S1|SKU|R|D|", "S1|\u0007|R|D", "S1|\uD800|R|D", "x".repeat(129) + "|a|b|c"]) {
    assert.ok(Result.isFailure(EntityKey.parseKey(T, bad)), bad)
  }
  const prefix = EntityKey.parsePrefix(T, "1RT823V93")
  assert.ok(Result.isSuccess(prefix))
  assert.ok(EntityKey.matches(prefix.success, key.success))
  assert.ok(!EntityKey.matches(prefix.success, Result.getOrThrow(EntityKey.parseKey(T, "1RT823V930|S|R|D"))))
  assert.ok(SortPosition.compareCodePoints("\uFF5A", "😀") < 0, "code point order, not UTF-16")
})

Deno.test("a file runs through its lifecycle as data", () => {
  let record: FileRecord.FileRecord = {
    fileId: crypto.randomUUID() as Ids.FileId,
    accountId: account,
    entityType: T,
    entityId: Result.getOrThrow(EntityKey.parseKey(T, "S|K|R|D")),
    contentType: "image/png",
    status: "uploading",
    fileSize: 0,
    createdAt: 0,
    updatedAt: 0,
    version: 0,
    attempts: 0,
    uploadExpiresAt: 900,
    dueAt: 1800
  }
  const events: ReadonlyArray<FileState.FileEvent> = [
    { _tag: "ObjectCreated", now: 10, size: 32, redispatchAt: 70 },
    { _tag: "ObjectCreated", now: 11, size: 32, redispatchAt: 71 },
    { _tag: "ProcessingStarted", now: 12, leaseUntil: 312 },
    { _tag: "Processed", now: 13, attempt: 1, size: 10, width: 4, height: 3 }
  ]
  for (const event of events) {
    const outcome = Result.getOrThrow(FileState.apply(record, event))
    if (outcome._tag === "Changed") record = outcome.record
    assert.deepEqual(FileState.invariantViolations(record), [])
  }
  assert.equal(record.status, "ready")
  assert.equal(record.version, 3)
  assert.ok(FileRecord.isFinal(record.status))
  assert.ok(Result.isFailure(FileState.apply({ ...record, status: "uploading" }, events[3]!)))
})

Deno.test("cursors round-trip and refuse tampering and foreign bindings", () =>
  Effect.runPromise(Effect.gen(function*() {
    const cursors = yield* Cursors.Cursors
    const binding = { accountId: account, entityType: T, match: "S1|" }
    const position = { entityId: "S1|K|R|D", createdAt: 5, fileId: "f" }
    const cursor = yield* cursors.encode(binding, position)
    assert.deepEqual(yield* cursors.decode(binding, cursor), position)
    const flipped = cursor.slice(0, -1) + (cursor.endsWith("A") ? "B" : "A")
    for (const [b, c] of [[binding, flipped], [{ ...binding, accountId: "other" }, cursor]] as const) {
      const error = yield* Effect.flip(cursors.decode(b, c))
      assert.ok(error instanceof Cursors.InvalidCursor)
    }
  }).pipe(Effect.provide(Cursors.Cursors.layerTest))))

Deno.test("an upload becomes ready through the use cases on the memory layers", () =>
  Effect.runPromise(Effect.gen(function*() {
    const files = yield* MediaFiles.MediaFiles
    const ticket = yield* files.requestUpload(account, {
      contentType: "image/png",
      entityType: T,
      entityId: "S1|SKU|DAMAGED|D1"
    })
    const key = ticket.fields["key"]!
    assert.deepEqual(Option.getOrThrow(ObjectKeys.parseOriginalKey(key)), { accountId: account, fileId: ticket.file_id })
    yield* ObjectStore.ObjectStore.use((store) => store.put(key, png(5000, 2500), "image/png"))
    assert.equal(ImageFormat.sniff(png(1, 1)), "png")
    const arrival = Option.getOrThrow(ObjectArrived.ObjectArrived.fromKey(key, png(5000, 2500).length))
    assert.equal(yield* ProcessUpload.arrive(arrival), "ready")
    assert.equal(typeof ProcessingAttempt.runAttempt, "function")
    const view = yield* files.get(account, ticket.file_id)
    assert.deepEqual([view.status, view.width, view.height], ["ready", 4096, 2048])
    assert.ok(view.download_url?.includes(ObjectKeys.imageKey(account, ticket.file_id, 1)))
    const found = yield* files.search(account, { entityType: T, entityId: "S1" })
    assert.deepEqual(found.files.map((f) => f.file_id), [ticket.file_id])
    assert.deepEqual(yield* SweepDue.sweepDue(), [])
    assert.deepEqual(yield* Processing.Processing.use((p) => p.sweep()).pipe(Effect.provide(Processing.Processing.layer)), [])
    assert.equal(typeof CommitEvent.commitEvent, "function")
    assert.ok([GetFile.make, SearchFiles.make, DeleteFile.make, RequestUpload.make].every(Effect.isEffect))
    yield* files.delete(account, ticket.file_id)
    const gone = yield* Effect.flip(files.get(account, ticket.file_id))
    assert.ok(gone instanceof MediaErrors.FileNotFound)
    // HEIC is refused where the request is decoded; a key that is not a full one by the use case.
    assert.ok(Option.isNone(Schema.decodeUnknownOption(ContentType.DeclaredContentType)("image/heic")))
    const refused = yield* Effect.flip(files.requestUpload(account, { contentType: "image/png", entityType: T, entityId: "S|K" }))
    assert.ok(refused instanceof MediaErrors.InvalidRequest)
  }).pipe(Effect.provide(MediaFiles.MediaFiles.layer.pipe(Layer.provideMerge(LayerMemory.layerMemory()))))))

Deno.test("every port and memory layer is usable on its own", () =>
  Effect.runPromise(Effect.gen(function*() {
    const auth = yield* Authenticator.Authenticator
    assert.ok(Authenticator.hasPermission(yield* auth.authenticate("Bearer t0k3n"), "media:write"))
    assert.ok((yield* Effect.flip(auth.authenticate("Bearer nope"))) instanceof Authenticator.Unauthenticated)
    assert.ok(Ids.isFileId(yield* (yield* FileIds.FileIds).next))
    const repo = yield* FileRepository.FileRepository
    assert.ok(Option.isNone(yield* repo.get(account, crypto.randomUUID() as Ids.FileId)))
    const processed = yield* (yield* ImageProcessor.ImageProcessor).process(png(10, 20), { maxPixels: 1000 })
    assert.deepEqual([processed.image.width, processed.thumbnail.width], [10, 256])
    const url = yield* (yield* UrlSigner.UrlSigner).sign("images/x", 99)
    assert.ok(url.includes("images/x"))
    assert.equal(MediaConfig.defaultMediaConfig.uploadUrlTtlSeconds, 900)
    assert.ok(ContentType.isHeifFamily("image/heic"))
    assert.ok("file_id" in FileView.FileView.fields)
    assert.equal(typeof (yield* NowSeconds.nowSeconds), "number")
  }).pipe(Effect.provide(Layer.mergeAll(
    MemoryAuthenticator.layerMemory({
      t0k3n: { accountId: account, permissions: new Set(Authenticator.permissions) }
    }),
    FileIds.FileIds.layer,
    MemoryFileRepository.layerMemory,
    MemoryImageProcessor.layerMemory(),
    MemoryObjectStore.layerMemory,
    MemoryUrlSigner.layerMemory
  )))))
