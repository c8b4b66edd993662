import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { layerMemory } from "../../src/memory/layerMemory.ts"
import { FileRepository } from "../../src/ports/FileRepository.ts"
import { deleteFile } from "../../src/usecases/DeleteFile.ts"
import { getFile } from "../../src/usecases/GetFile.ts"
import { handleObjectCreated } from "../../src/usecases/ProcessUpload.ts"
import { freshAccount, freshFileId, png } from "../fixtures.ts"
import { leftovers, upload, uploaded } from "./helpers.ts"

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
})
