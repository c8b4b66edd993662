import { assert, describe, layer } from "@effect/vitest"
import { Effect, Layer, Option, Schema } from "effect"
import { FileId } from "../../src/Ids.ts"
import { MediaConfig } from "../../src/MediaConfig.ts"
import { layerMemory } from "../../src/memory/layerMemory.ts"
import { FileRepository, RepositoryError } from "../../src/ports/FileRepository.ts"
import { MediaFiles } from "../../src/usecases/MediaFiles.ts"
import { PageLimit } from "../../src/usecases/SearchFiles.ts"
import { freshAccount, freshFileId } from "../fixtures.ts"

const brokenRepository = FileRepository.of({
  create: () => Effect.fail(new RepositoryError({ operation: "create", cause: new Error("down") })),
  get: () => Effect.fail(new RepositoryError({ operation: "get", cause: new Error("down") })),
  transition: () => Effect.fail(new RepositoryError({ operation: "transition", cause: new Error("down") })),
  delete: () => Effect.fail(new RepositoryError({ operation: "delete", cause: new Error("down") })),
  search: () => Effect.fail(new RepositoryError({ operation: "search", cause: new Error("down") })),
  listDue: () => Effect.succeed([])
})

const upload = { contentType: "image/png", entityType: "shipment_item", entityId: "M1|SKU|R|D1" } as const

describe("MediaFiles", () => {
  layer(MediaFiles.layer.pipe(Layer.provideMerge(layerMemory())))((it) => {
    it.effect("requests an upload, gets, finds and deletes a file through one service", () =>
      Effect.gen(function*() {
        const files = yield* MediaFiles
        const account = freshAccount()
        const ticket = yield* files.requestUpload(account, upload)
        assert.strictEqual(ticket.status, "uploading")
        assert.strictEqual((yield* files.get(account, ticket.file_id)).status, "uploading")
        const page = yield* files.search(account, {
          entityType: "shipment_item",
          entityId: "M1",
          limit: Schema.decodeSync(PageLimit)(10)
        })
        assert.deepStrictEqual(page.files.map((f) => f.file_id), [ticket.file_id])
        yield* files.delete(account, ticket.file_id)
        assert.strictEqual((yield* Effect.flip(files.get(account, ticket.file_id)))._tag, "FileNotFound")
        assert.strictEqual((yield* Effect.flip(files.delete(account, ticket.file_id)))._tag, "FileNotFound")
      }))

    it.effect("uses the ports it was built with: a port provided later at a call changes nothing", () =>
      Effect.gen(function*() {
        const files = yield* MediaFiles
        const account = freshAccount()
        const ticket = yield* files.requestUpload(account, upload)
        const view = yield* files.get(account, ticket.file_id).pipe(Effect.provideService(FileRepository, brokenRepository))
        assert.strictEqual(view.file_id, ticket.file_id)
        // Nor the configuration: the upload target still expires after the configured 15 minutes.
        const other = yield* files.requestUpload(account, upload).pipe(
          Effect.provideService(MediaConfig, { ...(yield* MediaConfig), uploadUrlTtlSeconds: 1 })
        )
        assert.strictEqual(other.expires_at - (yield* files.get(account, other.file_id)).created_at, 15 * 60)
      }))

    it.effect("still checks what only core knows: entity keys, the upload maximum, cursors", () =>
      Effect.gen(function*() {
        const files = yield* MediaFiles
        const account = freshAccount()
        const partialKey = yield* Effect.flip(files.requestUpload(account, { ...upload, entityId: "M1|SKU" }))
        assert.strictEqual(partialKey._tag, "InvalidRequest")
        const tooBig = yield* Effect.flip(files.requestUpload(account, { ...upload, fileSize: 26_214_401 }))
        assert.strictEqual(tooBig._tag, "InvalidRequest")
        const cursor = yield* Effect.flip(files.search(account, { entityType: "shipment_item", entityId: "M1", cursor: "forged" }))
        assert.strictEqual(cursor._tag, "InvalidRequest")
        const prefix = yield* Effect.flip(files.search(account, { entityType: "shipment_item", entityId: "M1|" }))
        assert.strictEqual(prefix._tag, "InvalidRequest")
      }))

    it.effect("answers an unknown id and another account's file alike", () =>
      Effect.gen(function*() {
        const files = yield* MediaFiles
        const ticket = yield* files.requestUpload(freshAccount(), upload)
        const foreign = yield* Effect.flip(files.get(freshAccount(), ticket.file_id))
        const unknown = yield* Effect.flip(files.get(freshAccount(), freshFileId()))
        assert.deepStrictEqual([foreign._tag, unknown._tag], ["FileNotFound", "FileNotFound"])
        assert.isTrue(Option.isNone(Schema.decodeUnknownOption(FileId)("not-a-uuid")), "the edge cannot hand it a malformed id")
      }))
  })
})
