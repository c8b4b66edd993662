/**
 * SPEC §3 DELETE: deleting a file while it uploads or processes leaves no
 * record and no object behind, whichever finishes first — on the DynamoDB
 * adapter (dynalite) with a store we can list.
 */
import { assert, describe, layer } from "@effect/vitest"
import { Duration, Effect, Layer } from "effect"
import * as DynaliteFileRepository from "@media-object-storage/adapters/dynamodb/DynaliteFileRepository"
import type { AccountId, FileId } from "@media-object-storage/core/Ids"
import * as MemoryImageProcessor from "@media-object-storage/core/memory/MemoryImageProcessor"
import { FileIds } from "@media-object-storage/core/ports/FileIds"
import { FileRepository } from "@media-object-storage/core/ports/FileRepository"
import { ImageProcessor } from "@media-object-storage/core/ports/ImageProcessor"
import { ObjectStore } from "@media-object-storage/core/ports/ObjectStore"
import { freshAccount, objectsOf, pngHeader, recordOf, uploadedFile } from "./support/files.ts"
import { layerRecordingMemory } from "./support/RecordingStore.ts"
import { deleteFile, requestUpload } from "../../core/test/usecases/helpers.ts"
import { handleObjectCreated, sweepDue } from "../../core/test/usecases/processing.ts"


/** Moments inside the workflow where a test can run something, e.g. the client's DELETE. */
interface Hooks {
  /** Before the processor sees the bytes; the returned effect runs before processing continues. */
  readonly beforeProcess?: Effect.Effect<void>
  /** Before a key is written to the store. */
  readonly beforePut?: (key: string) => Effect.Effect<void>
  /** After a state change was committed. */
  readonly afterTransition?: (status: string) => Effect.Effect<void>
}

/** Runs `effect` with the ports wrapped so the hooks fire; hooks themselves see the plain ports. */
const withHooks = (hooks: Hooks) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const repo = yield* FileRepository
    const store = yield* ObjectStore
    const processor = yield* ImageProcessor
    return yield* effect.pipe(
      Effect.provideService(FileRepository, FileRepository.of({
        ...repo,
        transition: (next, expected) =>
          repo.transition(next, expected).pipe(Effect.tap(() => hooks.afterTransition?.(next.status) ?? Effect.void))
      })),
      Effect.provideService(ObjectStore, ObjectStore.of({
        ...store,
        put: (key, bytes, contentType) =>
          (hooks.beforePut?.(key) ?? Effect.void).pipe(Effect.andThen(store.put(key, bytes, contentType)))
      })),
      Effect.provideService(ImageProcessor, ImageProcessor.of({
        process: (bytes, options) => (hooks.beforeProcess ?? Effect.void).pipe(Effect.andThen(processor.process(bytes, options)))
      }))
    )
  })

/** The client's DELETE, once: later calls do nothing (the hook may fire more than once). */
const deleteOnce = (account: AccountId, fileId: FileId) => {
  let done = false
  return Effect.suspend(() => {
    if (done) return Effect.void
    done = true
    return deleteFile(account, fileId).pipe(Effect.orDie, Effect.asVoid)
  })
}

const assertNothingLeft = (account: AccountId, fileId: FileId) =>
  Effect.gen(function*() {
    assert.isUndefined(yield* recordOf(account, fileId), "the record must be gone")
    assert.deepStrictEqual(yield* objectsOf(account, fileId), [], "no object may remain")
  })

const Ports = Layer.mergeAll(
  DynaliteFileRepository.layerDynalite(),
  layerRecordingMemory,
  MemoryImageProcessor.layerMemory(),
  FileIds.layer
)

describe("DELETE racing the upload and the processing (dynalite)", () => {
  layer(Ports, { excludeTestServices: true, timeout: 60_000 })((it) => {
    it.effect("deleted before the upload lands: the late object and its event leave nothing", () =>
      Effect.gen(function*() {
        const account = freshAccount()
        const ticket = yield* requestUpload(account, { contentType: "image/png", entityType: "shipment_item", entityId: "S|K|R|D" })
        yield* deleteFile(account, ticket.file_id)
        const key = ticket.fields["key"]!
        yield* (yield* ObjectStore).put(key, pngHeader(10, 10), "image/png")
        assert.strictEqual(yield* handleObjectCreated(key, 32), "gone")
        assert.strictEqual(yield* handleObjectCreated(key), "gone")
        yield* assertNothingLeft(account, ticket.file_id)
      }))

    it.effect("deleted after the upload landed but before its event: the event leaves nothing", () =>
      Effect.gen(function*() {
        const account = freshAccount()
        const file = yield* uploadedFile(account, pngHeader(10, 10))
        yield* deleteFile(account, file.fileId)
        assert.strictEqual(yield* handleObjectCreated(file.key, file.size), "gone")
        yield* sweepDue()
        yield* assertNothingLeft(account, file.fileId)
      }))

    // What driveFile reports is what it last saw; the contract is what is left behind.
    const midProcessing: ReadonlyArray<readonly [string, (del: Effect.Effect<void>) => Hooks, ReadonlyArray<string>]> = [
      ["the delete commits while the processor runs (delete first)", (del) => ({ beforeProcess: del }), ["gone"]],
      [
        "the delete commits between the derivatives' writes and the Processed write",
        (del) => ({ beforePut: (key) => key.startsWith("thumbnails/") ? del : Effect.void }),
        ["gone"]
      ],
      ["the delete commits right after ProcessingStarted", (del) => ({ afterTransition: (s) => s === "processing" ? del : Effect.void }), ["gone"]],
      ["the processing commits first, then the delete", (del) => ({ afterTransition: (s) => s === "ready" ? del : Effect.void }), ["ready", "gone"]]
    ]
    for (const [name, hooks, expected] of midProcessing) {
      it.effect(`deleted mid-processing: ${name} — nothing left`, () =>
        Effect.gen(function*() {
          const account = freshAccount()
          const file = yield* uploadedFile(account, pngHeader(10, 10))
          const plain = yield* Effect.context<FileRepository | ObjectStore>()
          const del = deleteOnce(account, file.fileId).pipe(Effect.provideContext(plain))
          const result = yield* handleObjectCreated(file.key, file.size).pipe(withHooks(hooks(del)))
          assert.include(expected, result)
          // A duplicate event and a sweep afterwards change nothing.
          assert.strictEqual(yield* handleObjectCreated(file.key), "gone")
          yield* sweepDue()
          yield* assertNothingLeft(account, file.fileId)
        }))
    }

    it.effect("deleting and processing at the same moment, many times over: nothing left", () =>
      Effect.gen(function*() {
        const account = freshAccount()
        const files = yield* Effect.forEach(Array.from({ length: 12 }, (_, i) => i), () => uploadedFile(account, pngHeader(10, 10)))
        yield* Effect.forEach(files, (file, i) =>
          Effect.all([
            handleObjectCreated(file.key, file.size),
            handleObjectCreated(file.key),
            Effect.sleep(Duration.millis(i * 2)).pipe(Effect.andThen(deleteFile(account, file.fileId)), Effect.option)
          ], { concurrency: "unbounded" }), { concurrency: "unbounded", discard: true })
        yield* sweepDue()
        for (const file of files) yield* assertNothingLeft(account, file.fileId)
      }))
  })
})

