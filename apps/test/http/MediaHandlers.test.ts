import { assert, describe, layer } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { FileId } from "@media-object-storage/core/Ids"
import { PageLimit } from "@media-object-storage/core/usecases/SearchFiles"
import { FileNotFoundError, InvalidRequestError } from "@media-object-storage/api/ApiErrors"
import { as, layerApiTest, makeClient } from "./apiTest.ts"
import type { tokens } from "./support.ts"

/** The typed in-memory client, authenticating as `token`. */
const client = (token: keyof typeof tokens) => makeClient.pipe(Effect.provide(as(token)))

const createFile = (token: keyof typeof tokens, entityId: string) =>
  Effect.flatMap(client(token), (api) =>
    api.media.requestUpload({ payload: { content_type: "image/png", entity_type: "shipment_item", entity_id: entityId } })).pipe(
      Effect.map((ticket) => ticket.file_id)
    )

const decodeFileId = Schema.decodeSync(FileId)
const pageLimit = Schema.decodeSync(PageLimit)

/** The class of an API error the client decoded (the class fixes its status: 404, 400). */
const tagOf = (error: unknown): string =>
  error instanceof FileNotFoundError
    ? "FileNotFoundError"
    : error instanceof InvalidRequestError
    ? "InvalidRequestError"
    : String(error)

layer(layerApiTest)("MediaHandlers", (it) => {
  it.effect("search finds by whole key parts; delete answers 204 and then 404", () =>
    Effect.gen(function*() {
      const reader = yield* client("readerA")
      const writer = yield* client("writerA")
      const a = yield* createFile("writerA", "S9|SKU-1|R|D1")
      const b = yield* createFile("writerA", "S9|SKU-2|R|D2")
      yield* createFile("writerA", "S90|SKU-1|R|D3")
      const search = (entityId: string) =>
        reader.media.search({ query: { entity_type: "shipment_item", entity_id: entityId }, responseMode: "decoded-and-response" })
      const [shipment, shipmentResponse] = yield* search("S9")
      assert.strictEqual(shipmentResponse.status, 200)
      assert.deepStrictEqual(shipment.files.map((f) => f.file_id), [a, b])
      assert.isFalse("cursor" in shipment)
      const [sku] = yield* search("S9|SKU-2")
      assert.deepStrictEqual(sku.files.map((f) => f.file_id), [b])

      const deleted = yield* writer.media.deleteFile({ params: { file_id: a }, responseMode: "response-only" })
      assert.strictEqual(deleted.status, 204)
      assert.strictEqual(yield* deleted.text, "")
      assert.strictEqual(tagOf(yield* Effect.flip(reader.media.getFile({ params: { file_id: a } }))), "FileNotFoundError")
      assert.strictEqual(tagOf(yield* Effect.flip(writer.media.deleteFile({ params: { file_id: a } }))), "FileNotFoundError")
      assert.deepStrictEqual((yield* search("S9"))[0].files.map((f) => f.file_id), [b])
    }))

  it.effect("search pages with a cursor until every file was seen once", () =>
    Effect.gen(function*() {
      const reader = yield* client("readerA")
      const created: Array<string> = []
      for (let i = 0; i < 5; i++) created.push(yield* createFile("writerA", `P1|SKU|R|D${i}`))
      const seen: Array<string> = []
      let cursor: string | undefined
      for (let page = 0; page < 10; page++) {
        const [reply, response] = yield* reader.media.search({
          query: {
            entity_type: "shipment_item",
            entity_id: "P1",
            limit: pageLimit(2),
            ...(cursor === undefined ? {} : { cursor })
          },
          responseMode: "decoded-and-response"
        })
        assert.strictEqual(response.status, 200)
        assert.isAtMost(reply.files.length, 2)
        seen.push(...reply.files.map((f) => f.file_id))
        cursor = reply.cursor
        if (cursor === undefined) break
      }
      assert.isUndefined(cursor)
      assert.deepStrictEqual(seen, created)
    }))
})

describe("MediaHandlers tenancy", () => {
  layer(layerApiTest)((it) => {
    it.effect("another account's file is 404 for get and delete, and never in its search", () =>
      Effect.gen(function*() {
        const other = yield* client("writerB")
        const fileId = yield* createFile("writerA", "T1|SKU|R|D1")
        const get = yield* Effect.flip(other.media.getFile({ params: { file_id: fileId } }))
        assert.instanceOf(get, FileNotFoundError)
        assert.strictEqual(get instanceof FileNotFoundError ? get.error_code : "", "FILE_NOT_FOUND")
        const unknown = yield* Effect.flip(other.media.getFile({ params: { file_id: decodeFileId(globalThis.crypto.randomUUID()) } }))
        // Same answer as for a file that does not exist, apart from the request id.
        assert.deepStrictEqual({ ...get, request_id: "" }, { ...unknown, request_id: "" })

        const [search, response] = yield* other.media.search({
          query: { entity_type: "shipment_item", entity_id: "T1" },
          responseMode: "decoded-and-response"
        })
        assert.strictEqual(response.status, 200)
        assert.deepStrictEqual(search.files, [])

        assert.strictEqual(tagOf(yield* Effect.flip(other.media.deleteFile({ params: { file_id: fileId } }))), "FileNotFoundError")
        // Still there for its owner.
        assert.strictEqual((yield* (yield* client("readerA")).media.getFile({ params: { file_id: fileId } })).file_id, fileId)
      }))

    it.effect("a cursor from one account is refused for another (400)", () =>
      Effect.gen(function*() {
        for (let i = 0; i < 3; i++) yield* createFile("writerA", `C1|SKU|R|D${i}`)
        const limit = pageLimit(1)
        const first = yield* (yield* client("readerA")).media.search({ query: { entity_type: "shipment_item", entity_id: "C1", limit } })
        assert.isString(first.cursor)
        const cursor = first.cursor!
        const foreign = yield* Effect.flip(
          (yield* client("writerB")).media.search({ query: { entity_type: "shipment_item", entity_id: "C1", limit, cursor } })
        )
        assert.instanceOf(foreign, InvalidRequestError)
        assert.strictEqual(foreign instanceof InvalidRequestError ? foreign.error_code : "", "INVALID_REQUEST")
        const otherQuery = yield* Effect.flip(
          (yield* client("readerA")).media.search({ query: { entity_type: "shipment_item", entity_id: "C2", cursor } })
        )
        assert.strictEqual(tagOf(otherQuery), "InvalidRequestError")
      }))
  })
})
