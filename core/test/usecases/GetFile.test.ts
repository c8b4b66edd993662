import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { layerMemory } from "../../src/memory/layerMemory.ts"
import { imageKey, thumbnailKey } from "../../src/ObjectKeys.ts"
import { freshAccount, freshFileId, pdf, png } from "../fixtures.ts"
import { advance, atStart, getFile, start, upload, uploaded } from "./helpers.ts"
import { handleObjectCreated } from "./processing.ts"

const notFound = (accountId: ReturnType<typeof freshAccount>, fileId: string) =>
  Effect.flip(getFile(accountId, fileId)).pipe(Effect.map((e) => {
    if (e._tag !== "FileNotFound") throw new Error(`expected FileNotFound, got ${e._tag}`)
    return e
  }))

describe("GetFile", () => {
  it.effect("returns an uploading file without URLs or dimensions", () =>
    Effect.gen(function*() {
      yield* atStart
      const account = freshAccount()
      const ticket = yield* upload(account)
      const view = yield* getFile(account, ticket.file_id)
      assert.deepStrictEqual(view, {
        file_id: ticket.file_id,
        content_type: "image/png",
        file_size: 0,
        entity_type: "shipment_item",
        entity_id: "S1|SKU-001|DAMAGED|D1",
        status: "uploading",
        created_at: start,
        updated_at: start
      })
    }).pipe(Effect.provide(layerMemory())))

  it.effect("rounds URL expiry up to the minute, so reads within a minute get the very same URLs", () =>
    Effect.gen(function*() {
      yield* atStart
      const account = freshAccount()
      const { key, fileId } = yield* uploaded(account, png(800, 600))
      assert.strictEqual(yield* handleObjectCreated(key), "ready")
      yield* advance(101)
      const first = yield* getFile(account, fileId)
      // start + 100 + 3600 is a whole minute, so one second later rounds up to the next one.
      assert.strictEqual(first.download_expires_at, start + 100 + 3600 + 60)
      yield* advance(30)
      const second = yield* getFile(account, fileId)
      assert.strictEqual(second.download_url, first.download_url)
      assert.strictEqual(second.thumbnail_url, first.thumbnail_url)
      yield* advance(30)
      const third = yield* getFile(account, fileId)
      assert.strictEqual(third.download_expires_at, start + 100 + 3600 + 120)
    }).pipe(Effect.provide(layerMemory())))

  it.effect("signs one-hour download and thumbnail URLs for a ready file, from the time of the request", () =>
    Effect.gen(function*() {
      yield* atStart
      const account = freshAccount()
      const { key, fileId } = yield* uploaded(account, png(800, 600))
      assert.strictEqual(yield* handleObjectCreated(key), "ready")
      yield* advance(100)
      const view = yield* getFile(account, fileId)
      assert.strictEqual(view.status, "ready")
      assert.strictEqual(view.content_type, "image/jpeg")
      assert.deepStrictEqual([view.width, view.height], [800, 600])
      assert.strictEqual(view.download_expires_at, start + 100 + 3600)
      assert.strictEqual(view.thumbnail_expires_at, start + 100 + 3600)
      assert.include(view.download_url, imageKey(account, fileId, 1))
      assert.include(view.thumbnail_url, thumbnailKey(account, fileId, 1))
      assert.isUndefined(view.failure_reason)
    }).pipe(Effect.provide(layerMemory())))

  it.effect("shows the failure reason of a failed file and no URLs", () =>
    Effect.gen(function*() {
      const account = freshAccount()
      const { key, fileId } = yield* uploaded(account, pdf())
      yield* handleObjectCreated(key)
      const view = yield* getFile(account, fileId)
      assert.strictEqual(view.status, "failed")
      assert.strictEqual(view.failure_reason, "unsupported_format")
      assert.isUndefined(view.download_url)
      assert.isUndefined(view.width)
    }).pipe(Effect.provide(layerMemory())))

  it.effect("answers FileNotFound for an unknown id", () =>
    Effect.gen(function*() {
      const id = freshFileId()
      assert.strictEqual((yield* notFound(freshAccount(), id)).fileId, id)
    }).pipe(Effect.provide(layerMemory())))

  it.effect("answers FileNotFound for a malformed id", () =>
    Effect.gen(function*() {
      for (const id of ["", "not-a-uuid", "../../etc/passwd", freshFileId().toUpperCase()]) yield* notFound(freshAccount(), id)
    }).pipe(Effect.provide(layerMemory())))

  it.effect("answers another account's file exactly like an unknown one", () =>
    Effect.gen(function*() {
      const owner = freshAccount()
      const ticket = yield* upload(owner)
      const foreign = yield* notFound(freshAccount(), ticket.file_id)
      const unknown = yield* notFound(freshAccount(), freshFileId())
      assert.deepStrictEqual(Object.keys(foreign), Object.keys(unknown))
      assert.strictEqual(foreign.message, unknown.message)
    }).pipe(Effect.provide(layerMemory())))
})
