// Over a socket: the exact JSON text and keys clients receive. Search, delete and tenancy run
// without one, through HttpApiTest (MediaHandlers.test.ts).
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { ObjectStore } from "@media-object-storage/core/ports/ObjectStore"
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
