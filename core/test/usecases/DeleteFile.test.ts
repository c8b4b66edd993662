import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { layerMemory } from "../../src/memory/layerMemory.ts"
import { FileRepository } from "../../src/ports/FileRepository.ts"
import { ObjectStore, StorageError } from "../../src/ports/ObjectStore.ts"
import { freshAccount, freshFileId, png } from "../fixtures.ts"
import { deleteFile, getFile, leftovers, searchFiles, upload, uploaded } from "./helpers.ts"
import { handleObjectCreated, registerUpload, sweepDue } from "./processing.ts"

/** The store, with deletes failing while `broken.on` (a store that lost its connection, or a full disk's EIO). */
const withBrokenDeletes = (broken: { on: boolean }) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const store = yield* ObjectStore
    return yield* effect.pipe(Effect.provideService(ObjectStore, ObjectStore.of({
      ...store,
      delete: (key) =>
        broken.on ? Effect.fail(new StorageError({ operation: "delete", key, cause: new Error("EIO") })) : store.delete(key)
    })))
  })

const fileNotFound = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flip(effect).pipe(Effect.map((e) => assert.strictEqual(e._tag, "FileNotFound")))

describe("DeleteFile", () => {
  it.effect("removes a ready file's record and every object; then it is not found", () =>
    Effect.gen(function*() {
      const account = freshAccount()
      const { key, fileId } = yield* uploaded(account, png(10, 10))
      assert.strictEqual(yield* handleObjectCreated(key), "ready")
      assert.isAbove((yield* leftovers(account, fileId)).length, 0)
      yield* deleteFile(account, fileId)
      assert.deepStrictEqual(yield* leftovers(account, fileId), [])
      assert.isTrue(Option.isNone(yield* (yield* FileRepository).get(account, fileId)))
      yield* fileNotFound(getFile(account, fileId))
      yield* fileNotFound(deleteFile(account, fileId))
    }).pipe(Effect.provide(layerMemory())))

  it.effect("removes an uploaded original that was never processed", () =>
    Effect.gen(function*() {
      const account = freshAccount()
      const { fileId } = yield* uploaded(account, png(10, 10))
      yield* deleteFile(account, fileId)
      assert.deepStrictEqual(yield* leftovers(account, fileId), [])
    }).pipe(Effect.provide(layerMemory())))

  it.effect("leaves another account's file alone and answers not found", () =>
    Effect.gen(function*() {
      const owner = freshAccount()
      const ticket = yield* upload(owner)
      yield* fileNotFound(deleteFile(freshAccount(), ticket.file_id))
      assert.strictEqual((yield* getFile(owner, ticket.file_id)).status, "uploading")
    }).pipe(Effect.provide(layerMemory())))

  it.effect("answers not found for unknown and malformed ids", () =>
    Effect.gen(function*() {
      yield* fileNotFound(deleteFile(freshAccount(), freshFileId()))
      yield* fileNotFound(deleteFile(freshAccount(), "not-a-uuid"))
    }).pipe(Effect.provide(layerMemory())))

  describe("when removing objects fails", () => {
    const readyFile = Effect.gen(function*() {
      const account = freshAccount()
      const { key, fileId } = yield* uploaded(account, png(10, 10), "S9|SKU|R|D")
      assert.strictEqual(yield* handleObjectCreated(key), "ready")
      return { account, fileId }
    })

    it.effect("fails, keeps a tombstone that is never ready nor visible, and a retry removes everything and succeeds", () => {
      const broken = { on: false }
      return Effect.gen(function*() {
        const { account, fileId } = yield* readyFile
        broken.on = true
        const error = yield* Effect.flip(deleteFile(account, fileId))
        assert.strictEqual(error._tag, "StorageError")
        const tombstone = Option.getOrThrow(yield* (yield* FileRepository).get(account, fileId))
        assert.strictEqual(tombstone.status, "deleting")
        assert.isDefined(tombstone.dueAt, "the sweeper will finish it")
        assert.isAbove((yield* leftovers(account, fileId)).length, 0)
        // Clients see it gone already: GET is 404 and search does not list it.
        yield* fileNotFound(getFile(account, fileId))
        assert.deepStrictEqual((yield* searchFiles(account, { entityType: "shipment_item", entityId: "S9" })).files, [])
        // A retry while the store still fails fails again (not 404: the job is not done).
        assert.strictEqual((yield* Effect.flip(deleteFile(account, fileId)))._tag, "StorageError")
        broken.on = false
        yield* deleteFile(account, fileId)
        assert.deepStrictEqual(yield* leftovers(account, fileId), [])
        assert.isTrue(Option.isNone(yield* (yield* FileRepository).get(account, fileId)))
        yield* fileNotFound(deleteFile(account, fileId))
      }).pipe(withBrokenDeletes(broken), Effect.provide(layerMemory()))
    })

    it.effect("the sweeper finishes a tombstone once the store is back", () => {
      const broken = { on: false }
      return Effect.gen(function*() {
        const { account, fileId } = yield* readyFile
        broken.on = true
        yield* Effect.flip(deleteFile(account, fileId))
        assert.deepStrictEqual((yield* sweepDue()).map(([, result]) => result), ["unavailable"])
        broken.on = false
        assert.deepStrictEqual((yield* sweepDue()).map(([, result]) => result), ["gone"])
        assert.deepStrictEqual(yield* leftovers(account, fileId), [])
        assert.isTrue(Option.isNone(yield* (yield* FileRepository).get(account, fileId)))
        assert.deepStrictEqual(yield* sweepDue(), [])
      }).pipe(withBrokenDeletes(broken), Effect.provide(layerMemory()))
    })

    it.effect("an original replayed onto a tombstoned file is deleted, and processing never picks it up", () => {
      const broken = { on: true }
      return Effect.gen(function*() {
        const account = freshAccount()
        const ticket = yield* upload(account)
        yield* Effect.flip(deleteFile(account, ticket.file_id))
        broken.on = false
        const key = ticket.fields["key"]!
        yield* (yield* ObjectStore).put(key, png(10, 10), "image/png")
        assert.strictEqual(yield* handleObjectCreated(key, 32), "gone")
        assert.deepStrictEqual(yield* leftovers(account, ticket.file_id), [])
        yield* (yield* ObjectStore).put(key, png(10, 10), "image/png")
        assert.strictEqual(yield* registerUpload(key, 32), "gone")
        assert.deepStrictEqual(yield* leftovers(account, ticket.file_id), [])
      }).pipe(withBrokenDeletes(broken), Effect.provide(layerMemory()))
    })
  })
})
