import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import { ObjectStore } from "@media/core/ports/ObjectStore"
import { png } from "../../../core/test/fixtures.ts"
import { bearer, call, createFile, jsonBody, layerTestServer, shipmentItem } from "./support.ts"
import { handleObjectCreated } from "../../../core/test/usecases/processing.ts"

const fileKeys = ["content_type", "created_at", "entity_id", "entity_type", "file_id", "file_size", "status", "updated_at"]

layer(layerTestServer())("MediaApi endpoints", (it) => {
  it.effect("upload-url returns a pre-signed POST target and creates an uploading record", () =>
    Effect.gen(function*() {
      const reply = yield* call("/v1/media/upload-url", jsonBody({ ...shipmentItem("U1|SKU|R|D1"), file_size: 1234 }, "writerA"))
      assert.strictEqual(reply.status, 200, reply.text)
      assert.deepStrictEqual(Object.keys(reply.json).sort(), ["expires_at", "fields", "file_id", "status", "upload_url"])
      assert.strictEqual(reply.json.status, "uploading")
      assert.match(reply.json.file_id, /^[0-9a-f-]{36}$/)
      assert.isString(reply.json.upload_url)
      assert.strictEqual(reply.json.fields.key, `originals/acct-a/${reply.json.file_id}`)
      assert.strictEqual(reply.json.fields["Content-Type"], "image/png")
      assert.include(reply.json.fields.policy, `"min":1234,"max":1234`)
      assert.isNumber(reply.json.expires_at)

      const got = yield* call(`/v1/media/${reply.json.file_id}`, { headers: bearer("readerA") })
      assert.strictEqual(got.status, 200)
      assert.strictEqual(got.json.status, "uploading")
    }))

  it.effect("get returns the record without fields that do not apply (never null)", () =>
    Effect.gen(function*() {
      const fileId = yield* createFile("writerA", "G1|SKU|R|D1")
      const reply = yield* call(`/v1/media/${fileId}`, { headers: bearer("readerA") })
      assert.strictEqual(reply.status, 200)
      assert.deepStrictEqual(Object.keys(reply.json).sort(), fileKeys)
      assert.deepStrictEqual(reply.json, {
        file_id: fileId,
        content_type: "image/png",
        file_size: 0,
        entity_type: "shipment_item",
        entity_id: "G1|SKU|R|D1",
        status: "uploading",
        created_at: reply.json.created_at,
        updated_at: reply.json.updated_at
      })
      assert.notInclude(reply.text, "null")
    }))

  it.effect("search finds by whole key parts; delete answers 204 and then 404", () =>
    Effect.gen(function*() {
      const a = yield* createFile("writerA", "S9|SKU-1|R|D1")
      const b = yield* createFile("writerA", "S9|SKU-2|R|D2")
      yield* createFile("writerA", "S90|SKU-1|R|D3")
      const search = (entityId: string) =>
        call(`/v1/media/search?entity_type=shipment_item&entity_id=${encodeURIComponent(entityId)}`, {
          headers: bearer("readerA")
        })
      const shipment = yield* search("S9")
      assert.strictEqual(shipment.status, 200)
      assert.deepStrictEqual(shipment.json.files.map((f: any) => f.file_id), [a, b])
      assert.isFalse("cursor" in shipment.json)
      const sku = yield* search("S9|SKU-2")
      assert.deepStrictEqual(sku.json.files.map((f: any) => f.file_id), [b])

      const deleted = yield* call(`/v1/media/${a}`, { method: "DELETE", headers: bearer("writerA") })
      assert.strictEqual(deleted.status, 204)
      assert.strictEqual(deleted.text, "")
      assert.strictEqual((yield* call(`/v1/media/${a}`, { headers: bearer("readerA") })).status, 404)
      assert.strictEqual((yield* call(`/v1/media/${a}`, { method: "DELETE", headers: bearer("writerA") })).status, 404)
      assert.deepStrictEqual((yield* search("S9")).json.files.map((f: any) => f.file_id), [b])
    }))

  it.effect("search pages with a cursor until every file was seen once", () =>
    Effect.gen(function*() {
      const created: Array<string> = []
      for (let i = 0; i < 5; i++) created.push(yield* createFile("writerA", `P1|SKU|R|D${i}`))
      const seen: Array<string> = []
      let cursor: string | undefined
      for (let page = 0; page < 10; page++) {
        const query = `entity_type=shipment_item&entity_id=P1&limit=2${cursor === undefined ? "" : `&cursor=${encodeURIComponent(cursor)}`}`
        const reply = yield* call(`/v1/media/search?${query}`, { headers: bearer("readerA") })
        assert.strictEqual(reply.status, 200, reply.text)
        assert.isAtMost(reply.json.files.length, 2)
        seen.push(...reply.json.files.map((f: any) => f.file_id))
        cursor = reply.json.cursor
        if (cursor === undefined) break
      }
      assert.isUndefined(cursor)
      assert.deepStrictEqual(seen, created)
    }))

  it.effect("full flow: upload-url, the object arrives, processing, then GET shows ready with signed URLs", () =>
    Effect.gen(function*() {
      const ticket = yield* call("/v1/media/upload-url", jsonBody(shipmentItem("F1|SKU|R|D1"), "writerA"))
      const key: string = ticket.json.fields.key
      const bytes = png(640, 480, 64)
      yield* (yield* ObjectStore).put(key, bytes, "image/png")
      const outcome = yield* handleObjectCreated(key, bytes.length)
      assert.strictEqual(outcome, "ready")

      const reply = yield* call(`/v1/media/${ticket.json.file_id}`, { headers: bearer("readerA") })
      assert.strictEqual(reply.status, 200)
      assert.strictEqual(reply.json.status, "ready")
      assert.strictEqual(reply.json.content_type, "image/jpeg")
      assert.strictEqual(reply.json.width, 640)
      assert.strictEqual(reply.json.height, 480)
      assert.isString(reply.json.download_url)
      assert.isString(reply.json.thumbnail_url)
      assert.isAbove(reply.json.download_expires_at, reply.json.updated_at)
      assert.isAbove(reply.json.thumbnail_expires_at, reply.json.updated_at)
      assert.isFalse("failure_reason" in reply.json)
    }))
})

describe("MediaApi tenancy", () => {
  layer(layerTestServer())((it) => {
    it.effect("another account's file is 404 for get and delete, and never in its search", () =>
      Effect.gen(function*() {
        const fileId = yield* createFile("writerA", "T1|SKU|R|D1")
        const get = yield* call(`/v1/media/${fileId}`, { headers: bearer("writerB") })
        assert.strictEqual(get.status, 404)
        assert.strictEqual(get.json.error_code, "FILE_NOT_FOUND")
        const unknown = yield* call(`/v1/media/${globalThis.crypto.randomUUID()}`, { headers: bearer("writerB") })
        // Same answer as for a file that does not exist, apart from the request id.
        assert.deepStrictEqual({ ...get.json, request_id: "" }, { ...unknown.json, request_id: "" })

        const search = yield* call("/v1/media/search?entity_type=shipment_item&entity_id=T1", {
          headers: bearer("writerB")
        })
        assert.strictEqual(search.status, 200)
        assert.deepStrictEqual(search.json.files, [])

        assert.strictEqual((yield* call(`/v1/media/${fileId}`, { method: "DELETE", headers: bearer("writerB") })).status, 404)
        // Still there for its owner.
        assert.strictEqual((yield* call(`/v1/media/${fileId}`, { headers: bearer("readerA") })).status, 200)
      }))

    it.effect("a cursor from one account is refused for another (400)", () =>
      Effect.gen(function*() {
        for (let i = 0; i < 3; i++) yield* createFile("writerA", `C1|SKU|R|D${i}`)
        const first = yield* call("/v1/media/search?entity_type=shipment_item&entity_id=C1&limit=1", {
          headers: bearer("readerA")
        })
        assert.isString(first.json.cursor)
        const cursor = encodeURIComponent(first.json.cursor)
        const foreign = yield* call(`/v1/media/search?entity_type=shipment_item&entity_id=C1&limit=1&cursor=${cursor}`, {
          headers: bearer("writerB")
        })
        assert.strictEqual(foreign.status, 400)
        assert.strictEqual(foreign.json.error_code, "INVALID_REQUEST")
        const otherQuery = yield* call(`/v1/media/search?entity_type=shipment_item&entity_id=C2&cursor=${cursor}`, {
          headers: bearer("readerA")
        })
        assert.strictEqual(otherQuery.status, 400)
      }))
  })
})
