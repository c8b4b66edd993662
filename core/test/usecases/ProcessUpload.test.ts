import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Option } from "effect"
import { type FileRecord } from "../../src/FileRecord.ts"
import type { AccountId, FileId } from "../../src/Ids.ts"
import { defaultMediaConfig, MediaConfig } from "../../src/MediaConfig.ts"
import { layerMemory } from "../../src/memory/layerMemory.ts"
import { makeMemoryImageProcessor } from "../../src/memory/MemoryImageProcessor.ts"
import { imageKey, originalKey, thumbnailKey } from "../../src/ObjectKeys.ts"
import { FileRepository } from "../../src/ports/FileRepository.ts"
import { ImageProcessor } from "../../src/ports/ImageProcessor.ts"
import { ObjectStore } from "../../src/ports/ObjectStore.ts"
import { freshAccount, freshFileId, pdf, png } from "../fixtures.ts"
import { advance, atStart, deleteFile, leftovers, start, upload, uploaded } from "./helpers.ts"
import { handleObjectCreated, registerUpload, sweepDue } from "./processing.ts"

const recordOf = (accountId: AccountId, fileId: FileId) =>
  FileRepository.use((repo) => repo.get(accountId, fileId)).pipe(Effect.map(Option.getOrThrow))
const exists = (key: string) => ObjectStore.use((store) => store.head(key)).pipe(Effect.map(Option.isSome))

describe("ProcessUpload.handleObjectCreated", () => {
  it.effect("makes an upload ready, capping the longest side at 4096 and removing the original", () =>
    Effect.gen(function*() {
      yield* atStart
      const account = freshAccount()
      const { key, fileId } = yield* uploaded(account, png(5000, 2500, 40))
      assert.strictEqual(yield* handleObjectCreated(key, 40), "ready")
      const record = yield* recordOf(account, fileId)
      assert.strictEqual(record.status, "ready")
      assert.deepStrictEqual([record.width, record.height], [4096, 2048])
      assert.strictEqual(record.contentType, "image/jpeg")
      assert.strictEqual(record.attempts, 1)
      assert.strictEqual(record.updatedAt, start)
      assert.isUndefined(record.dueAt)
      assert.isFalse(yield* exists(key))
      assert.isTrue(yield* exists(imageKey(account, fileId, 1)))
      assert.isTrue(yield* exists(thumbnailKey(account, fileId, 1)))
      const image = Option.getOrThrow(yield* ObjectStore.use((s) => s.head(imageKey(account, fileId, 1))))
      assert.strictEqual(record.fileSize, image.size)
    }).pipe(Effect.provide(layerMemory())))

  it.effect("never enlarges a small image, and caps a tall one on its height", () =>
    Effect.gen(function*() {
      const account = freshAccount()
      const small = yield* uploaded(account, png(300, 200))
      const tall = yield* uploaded(account, png(1000, 8192))
      yield* handleObjectCreated(small.key)
      yield* handleObjectCreated(tall.key)
      const [s, t] = [yield* recordOf(account, small.fileId), yield* recordOf(account, tall.fileId)]
      assert.deepStrictEqual([s.width, s.height], [300, 200])
      assert.deepStrictEqual([t.width, t.height], [500, 4096])
    }).pipe(Effect.provide(layerMemory())))

  it.effect("ignores keys outside originals/, so derivatives never trigger processing", () =>
    Effect.gen(function*() {
      const account = freshAccount()
      const fileId = freshFileId()
      for (const key of [imageKey(account, fileId, 1), thumbnailKey(account, fileId, 1), "originals/", `originals/${account}`, `originals/${account}/${fileId}/x`, `originals/${account}/not-a-uuid`, `x/originals/${account}/${fileId}`]) {
        assert.strictEqual(yield* handleObjectCreated(key), "ignored", key)
      }
    }).pipe(Effect.provide(layerMemory())))

  it.effect("treats duplicate events as no-ops", () =>
    Effect.gen(function*() {
      const account = freshAccount()
      const { key, fileId } = yield* uploaded(account, png(10, 10))
      assert.strictEqual(yield* handleObjectCreated(key), "ready")
      const once = yield* recordOf(account, fileId)
      assert.strictEqual(yield* handleObjectCreated(key), "ready")
      assert.strictEqual(yield* handleObjectCreated(key, 32), "ready")
      assert.deepStrictEqual(yield* recordOf(account, fileId), once)
    }).pipe(Effect.provide(layerMemory())))

  it.effect("processes once when the same event arrives twice at the same time", () =>
    Effect.gen(function*() {
      const account = freshAccount()
      const { key, fileId } = yield* uploaded(account, png(10, 10))
      yield* Effect.all([handleObjectCreated(key), handleObjectCreated(key)], { concurrency: 2 })
      const record = yield* recordOf(account, fileId)
      assert.strictEqual(record.status, "ready")
      assert.strictEqual(record.attempts, 1)
    }).pipe(Effect.provide(layerMemory())))

  it.effect("leaves a file uploading when storage holds no object yet", () =>
    Effect.gen(function*() {
      const account = freshAccount()
      const ticket = yield* upload(account)
      assert.strictEqual(yield* handleObjectCreated(ticket.fields["key"]!), "uploading")
      assert.strictEqual((yield* recordOf(account, ticket.file_id)).status, "uploading")
    }).pipe(Effect.provide(layerMemory())))

  it.effect("deletes the orphan original when the file was deleted before its upload arrived", () =>
    Effect.gen(function*() {
      const account = freshAccount()
      const ticket = yield* upload(account)
      yield* deleteFile(account, ticket.file_id)
      const key = ticket.fields["key"]!
      yield* ObjectStore.use((s) => s.put(key, png(10, 10), "image/png"))
      assert.strictEqual(yield* handleObjectCreated(key), "gone")
      assert.deepStrictEqual(yield* leftovers(account, ticket.file_id), [])
    }).pipe(Effect.provide(layerMemory())))

  it.effect("deletes an original no record was ever made for", () =>
    Effect.gen(function*() {
      const key = originalKey(freshAccount(), freshFileId())
      yield* ObjectStore.use((s) => s.put(key, png(10, 10), "image/png"))
      assert.strictEqual(yield* handleObjectCreated(key), "gone")
      assert.isFalse(yield* exists(key))
    }).pipe(Effect.provide(layerMemory())))

  it.effect("fails unsupported_format for bytes that are not an accepted image, and deletes the original", () =>
    Effect.gen(function*() {
      const account = freshAccount()
      const { key, fileId } = yield* uploaded(account, pdf())
      assert.strictEqual(yield* handleObjectCreated(key), "failed")
      const record = yield* recordOf(account, fileId)
      assert.strictEqual(record.failureReason, "unsupported_format")
      assert.strictEqual(record.attempts, 1)
      assert.deepStrictEqual(yield* leftovers(account, fileId), [])
    }).pipe(Effect.provide(layerMemory())))

  it.effect("fails too_large for an original above the upload limit", () =>
    Effect.gen(function*() {
      const account = freshAccount()
      const { key, fileId } = yield* uploaded(account, png(10, 10, 200))
      assert.strictEqual(yield* handleObjectCreated(key), "failed")
      assert.strictEqual((yield* recordOf(account, fileId)).failureReason, "too_large")
      assert.deepStrictEqual(yield* leftovers(account, fileId), [])
    }).pipe(
      Effect.provideService(MediaConfig, { ...defaultMediaConfig, maxUploadBytes: 100 }),
      Effect.provide(layerMemory())
    ))

  it.effect("retries transient processor failures after a growing delay and succeeds on the third attempt", () =>
    Effect.gen(function*() {
      const account = freshAccount()
      const { key, fileId } = yield* uploaded(account, png(10, 10))
      // The first attempt fails; the file waits for its retry, even if the event comes again meanwhile.
      assert.strictEqual(yield* handleObjectCreated(key), "uploaded")
      assert.strictEqual(yield* handleObjectCreated(key), "uploaded")
      assert.strictEqual((yield* recordOf(account, fileId)).attempts, 1)
      assert.deepStrictEqual(yield* sweepDue(), [])
      // Due after the retry delay, then twice that: the sweeper runs attempts 2 and 3.
      yield* advance(defaultMediaConfig.retryDelaySeconds)
      assert.deepStrictEqual((yield* sweepDue()).map(([, result]) => result), ["uploaded"])
      yield* advance(defaultMediaConfig.retryDelaySeconds)
      assert.deepStrictEqual(yield* sweepDue(), [])
      yield* advance(defaultMediaConfig.retryDelaySeconds)
      assert.deepStrictEqual((yield* sweepDue()).map(([, result]) => result), ["ready"])
      const record = yield* recordOf(account, fileId)
      assert.strictEqual(record.attempts, 3)
      assert.deepStrictEqual((yield* leftovers(account, fileId)).sort(), [imageKey(account, fileId, 3), thumbnailKey(account, fileId, 3)].sort())
    }).pipe(Effect.provide(layerMemory({ transientFailures: 2 }))))

  it.effect("fails processing_error after three transient failures, leaving no objects", () =>
    Effect.gen(function*() {
      const account = freshAccount()
      const { key, fileId } = yield* uploaded(account, png(10, 10))
      assert.strictEqual(yield* handleObjectCreated(key), "uploaded")
      yield* advance(defaultMediaConfig.retryDelaySeconds)
      yield* sweepDue()
      yield* advance(2 * defaultMediaConfig.retryDelaySeconds)
      assert.deepStrictEqual((yield* sweepDue()).map(([, result]) => result), ["failed"])
      const record: FileRecord = yield* recordOf(account, fileId)
      assert.strictEqual(record.failureReason, "processing_error")
      assert.strictEqual(record.attempts, 3)
      assert.deepStrictEqual(yield* leftovers(account, fileId), [])
    }).pipe(Effect.provide(layerMemory({ transientFailures: 3 }))))

  it.effect("leaves nothing behind when the file is deleted while it is being processed", () =>
    Effect.gen(function*() {
      const account = freshAccount()
      const { key, fileId } = yield* uploaded(account, png(10, 10))
      const context = yield* Effect.context<FileRepository | ObjectStore>()
      const inner = yield* makeMemoryImageProcessor()
      // The processor finishes its work after a client deleted the file.
      const racing = ImageProcessor.of({
        process: (bytes, options) =>
          deleteFile(account, fileId).pipe(Effect.orDie, Effect.provideContext(context), Effect.andThen(inner.process(bytes, options)))
      })
      assert.strictEqual(yield* handleObjectCreated(key).pipe(Effect.provideService(ImageProcessor, racing)), "gone")
      assert.deepStrictEqual(yield* leftovers(account, fileId), [])
      assert.isTrue(Option.isNone(yield* FileRepository.use((r) => r.get(account, fileId))))
    }).pipe(Effect.provide(layerMemory())))
})

describe("ProcessUpload.registerUpload", () => {
  it.effect("records the arrival durably without processing, and the sweeper processes it once due", () =>
    Effect.gen(function*() {
      yield* atStart
      const account = freshAccount()
      const { key, fileId } = yield* uploaded(account, png(800, 600, 40))
      assert.strictEqual(yield* registerUpload(key, 40), "uploaded")
      const record = yield* recordOf(account, fileId)
      assert.strictEqual(record.status, "uploaded")
      assert.strictEqual(record.fileSize, 40)
      assert.strictEqual(record.dueAt, start + defaultMediaConfig.redispatchAfterSeconds)
      assert.isTrue(yield* exists(key))
      // A duplicate notification changes nothing.
      assert.strictEqual(yield* registerUpload(key, 40), "uploaded")
      assert.strictEqual((yield* recordOf(account, fileId)).version, record.version)
      // Nothing processes it before it is due (the dispatcher would; here it "crashed")...
      assert.deepStrictEqual(yield* sweepDue(), [])
      yield* advance(defaultMediaConfig.redispatchAfterSeconds)
      // ...and once due, the sweeper does.
      const swept = yield* sweepDue()
      assert.deepStrictEqual(swept.map(([, result]) => result), ["ready"])
      assert.isFalse(yield* exists(key))
    }).pipe(Effect.provide(layerMemory())))

  it.effect("ignores keys outside the originals prefix and files that no longer exist", () =>
    Effect.gen(function*() {
      yield* atStart
      assert.strictEqual(yield* registerUpload(`images/${freshAccount()}/${freshFileId()}/1.jpg`, 10), "ignored")
      assert.strictEqual(yield* registerUpload(originalKey(freshAccount(), freshFileId()), 10), "gone")
    }).pipe(Effect.provide(layerMemory())))
})

describe("ProcessUpload with a hanging codec", () => {
  it.effect("gives up on an attempt at its lease and fails processing_error after 3 attempts", () =>
    Effect.gen(function*() {
      yield* atStart
      const account = freshAccount()
      const { key, fileId } = yield* uploaded(account, png(800, 600, 40))
      let calls = 0
      const hanging = ImageProcessor.of({ process: () => Effect.suspend(() => { calls++; return Effect.never }) })
      const withHanging = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provideService(effect, ImageProcessor, hanging)
      const first = yield* Effect.forkChild(withHanging(handleObjectCreated(key, 40)))
      yield* advance(defaultMediaConfig.leaseSeconds)
      assert.strictEqual(yield* Fiber.join(first), "uploaded")
      for (const delay of [1, 2]) {
        yield* advance(delay * defaultMediaConfig.retryDelaySeconds)
        const sweep = yield* Effect.forkChild(withHanging(sweepDue()))
        yield* advance(defaultMediaConfig.leaseSeconds)
        yield* Fiber.join(sweep)
      }
      assert.strictEqual(calls, 3)
      const record = yield* recordOf(account, fileId)
      assert.strictEqual(record.failureReason, "processing_error")
      assert.isFalse(yield* exists(key))
    }).pipe(Effect.provide(layerMemory())))
})
