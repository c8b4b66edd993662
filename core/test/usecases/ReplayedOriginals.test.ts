/**
 * SPEC §6: once a file is final or deleted, no original of it outlives its
 * processing — including the bytes of a pre-signed POST replayed before it
 * expired, whichever path reports them (event, embedded endpoint, sweeper).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import type { AccountId, FileId } from "../../src/Ids.ts"
import { cleanupGraceSeconds } from "../../src/FileState.ts"
import { layerMemory } from "../../src/memory/layerMemory.ts"
import { FileRepository } from "../../src/ports/FileRepository.ts"
import { ObjectStore } from "../../src/ports/ObjectStore.ts"
import { freshAccount, pdf, png } from "../fixtures.ts"
import { advance, atStart, deleteFile, requestUpload, start, uploaded } from "./helpers.ts"
import { handleObjectCreated, registerUpload, sweepDue } from "./processing.ts"

const recordOf = (accountId: AccountId, fileId: FileId) =>
  FileRepository.use((repo) => repo.get(accountId, fileId)).pipe(Effect.map(Option.getOrThrow))
const exists = (key: string) => ObjectStore.use((store) => store.head(key)).pipe(Effect.map(Option.isSome))
/** The replayed POST: storage accepts the same form again and stores its bytes under the same key. */
const replay = (key: string, bytes: Uint8Array) => ObjectStore.use((store) => store.put(key, bytes, "image/jpeg"))

/** A JPEG-looking original "with GPS": what must never be kept. */
const withGps = png(10, 10, 48)

describe("an original arriving for a final file (a replayed pre-signed POST)", () => {
  it.effect.each([["ready", png(10, 10)], ["failed", pdf()]] as const)(
    "%s: its event deletes the replayed original, and nothing a client sees changes",
    ([status, bytes]) =>
      Effect.gen(function*() {
        yield* atStart
        const account = freshAccount()
        const { key, fileId } = yield* uploaded(account, bytes)
        assert.strictEqual(yield* handleObjectCreated(key), status)
        const before = yield* recordOf(account, fileId)
        assert.isUndefined(before.dueAt)
        yield* advance(60)
        yield* replay(key, withGps)
        assert.strictEqual(yield* handleObjectCreated(key, withGps.length), status)
        assert.isFalse(yield* exists(key), "the replayed original must be deleted")
        const after = yield* recordOf(account, fileId)
        assert.strictEqual(after.status, status)
        assert.strictEqual(after.updatedAt, before.updatedAt)
        assert.strictEqual(after.fileSize, before.fileSize)
        assert.isUndefined(after.dueAt, "the clean-up is recorded")
      }).pipe(Effect.provide(layerMemory()))
  )

  it.effect("a duplicate event with no new bytes changes nothing", () =>
    Effect.gen(function*() {
      const account = freshAccount()
      const { key, fileId } = yield* uploaded(account, png(10, 10))
      yield* handleObjectCreated(key)
      const once = yield* recordOf(account, fileId)
      assert.strictEqual(yield* handleObjectCreated(key, 32), "ready")
      assert.deepStrictEqual(yield* recordOf(account, fileId), once)
    }).pipe(Effect.provide(layerMemory())))

  it.effect("the embedded endpoint's registration makes the file due, so the sweeper deletes the replay if the dispatch is lost", () =>
    Effect.gen(function*() {
      yield* atStart
      const account = freshAccount()
      const { key, fileId } = yield* uploaded(account, png(10, 10))
      assert.strictEqual(yield* handleObjectCreated(key), "ready")
      yield* replay(key, withGps)
      // The endpoint records the arrival before answering 204; then the process dies before the dispatched job runs.
      assert.strictEqual(yield* registerUpload(key, withGps.length), "ready")
      assert.strictEqual((yield* recordOf(account, fileId)).dueAt, start + cleanupGraceSeconds)
      yield* advance(cleanupGraceSeconds)
      assert.deepStrictEqual((yield* sweepDue()).map(([, result]) => result), ["ready"])
      assert.isFalse(yield* exists(key))
      assert.isUndefined((yield* recordOf(account, fileId)).dueAt)
    }).pipe(Effect.provide(layerMemory())))

  it.effect("the embedded endpoint deletes at once an original that arrives for a deleted file", () =>
    Effect.gen(function*() {
      const account = freshAccount()
      const { key, fileId } = yield* uploaded(account, png(10, 10))
      yield* deleteFile(account, fileId)
      yield* replay(key, withGps)
      assert.strictEqual(yield* registerUpload(key, withGps.length), "gone")
      assert.isFalse(yield* exists(key))
    }).pipe(Effect.provide(layerMemory())))

  it.effect("events in any order, duplicated, leave the file ready with no original", () =>
    Effect.gen(function*() {
      const account = freshAccount()
      const { key, fileId } = yield* uploaded(account, png(10, 10))
      // The replay's event first (it finds the first bytes replaced), then the first upload's, then again.
      yield* replay(key, png(20, 20))
      assert.strictEqual(yield* handleObjectCreated(key, 32), "ready")
      yield* replay(key, withGps)
      assert.strictEqual(yield* registerUpload(key, withGps.length), "ready")
      assert.strictEqual(yield* handleObjectCreated(key, 32), "ready")
      assert.strictEqual(yield* handleObjectCreated(key, withGps.length), "ready")
      assert.isFalse(yield* exists(key))
      const record = yield* recordOf(account, fileId)
      assert.deepStrictEqual([record.status, record.attempts, record.dueAt], ["ready", 1, undefined])
    }).pipe(Effect.provide(layerMemory())))
})

describe("size_mismatch", () => {
  const declared = (accountId: AccountId, fileSize: number) =>
    requestUpload(accountId, { contentType: "image/png", entityType: "shipment_item", entityId: "S1|K|R|D", fileSize })

  it.effect("fails a file whose stored object is not the declared file_size, and deletes the original", () =>
    Effect.gen(function*() {
      const account = freshAccount()
      const ticket = yield* declared(account, 40)
      const key = ticket.fields["key"]!
      yield* ObjectStore.use((s) => s.put(key, png(10, 10, 50), "image/png"))
      assert.strictEqual(yield* handleObjectCreated(key, 50), "failed")
      const record = yield* recordOf(account, ticket.file_id)
      assert.strictEqual(record.failureReason, "size_mismatch")
      assert.strictEqual(record.fileSize, 50)
      assert.strictEqual(record.attempts, 0, "the image was never looked at")
      assert.isFalse(yield* exists(key))
    }).pipe(Effect.provide(layerMemory())))

  it.effect("fails a file whose bytes are not the declared size even when the event reported the right size", () =>
    Effect.gen(function*() {
      const account = freshAccount()
      const ticket = yield* declared(account, 40)
      const key = ticket.fields["key"]!
      yield* ObjectStore.use((s) => s.put(key, png(10, 10, 50), "image/png"))
      assert.strictEqual(yield* handleObjectCreated(key, 40), "failed")
      assert.strictEqual((yield* recordOf(account, ticket.file_id)).failureReason, "size_mismatch")
      assert.isFalse(yield* exists(key))
    }).pipe(Effect.provide(layerMemory())))

  it.effect("processes a file of exactly the declared size", () =>
    Effect.gen(function*() {
      const account = freshAccount()
      const ticket = yield* declared(account, 40)
      const key = ticket.fields["key"]!
      yield* ObjectStore.use((s) => s.put(key, png(10, 10, 40), "image/png"))
      assert.strictEqual(yield* handleObjectCreated(key, 40), "ready")
    }).pipe(Effect.provide(layerMemory())))
})
