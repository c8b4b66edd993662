/**
 * Requests are decoded as the document says (SPEC §7): unknown body
 * properties are refused, MIME types compare case-insensitively, `limit` has
 * one spelling per value, and paths and queries must be valid UTF-8.
 */
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { assertError, bearer, call, jsonBody, layerTestServer, shipmentItem, TestServer } from "./support.ts"
import { rawRequest } from "../../../test/hardening/support/rawRequest.ts"

const search = (query: string) => call(`/v1/media/search?${query}`, { headers: bearer("readerA") })

layer(layerTestServer())("strict requests", (it) => {
  it.effect("an unknown body property is 400 naming it, not silently dropped", () =>
    Effect.gen(function*() {
      // `filesize` for `file_size`: ignoring it would drop the exact-size check.
      const typo = yield* call("/v1/media/upload-url", jsonBody({ ...shipmentItem("X1|SKU|R|D1"), filesize: 5 }, "writerA"))
      assert.include(assertError(typo, 400, "INVALID_REQUEST"), "filesize")
      const nested = yield* call("/v1/media/upload-url", jsonBody({ ...shipmentItem("X1|SKU|R|D1"), extra: null }, "writerA"))
      assert.include(assertError(nested, 400, "INVALID_REQUEST"), "extra")
    }))

  it.effect("content_type is accepted in any case and stored lower-cased; HEIC/HEIF is refused in any case", () =>
    Effect.gen(function*() {
      for (const contentType of ["IMAGE/JPEG", "Image/Png", "image/WEBP"]) {
        const reply = yield* call("/v1/media/upload-url", jsonBody(shipmentItem("X2|SKU|R|D1", contentType), "writerA"))
        assert.strictEqual(reply.status, 200, reply.text)
        assert.strictEqual(reply.json.fields["Content-Type"], contentType.toLowerCase())
        const file = yield* call(`/v1/media/${reply.json.file_id}`, { headers: bearer("readerA") })
        assert.strictEqual(file.json.content_type, contentType.toLowerCase())
      }
      for (const contentType of ["IMAGE/HEIC", "Image/Heif", "image/heic"]) {
        const reply = yield* call("/v1/media/upload-url", jsonBody(shipmentItem("X2|SKU|R|D1", contentType), "writerA"))
        assert.include(assertError(reply, 400, "INVALID_REQUEST"), "convert HEIC/HEIF photos to JPEG on the device")
      }
      assertError(yield* call("/v1/media/upload-url", jsonBody(shipmentItem("X2|SKU|R|D1", "TEXT/HTML"), "writerA")), 400, "INVALID_REQUEST")
    }))

  it.effect("file_size is 1 to the maximum upload size", () =>
    Effect.gen(function*() {
      for (const fileSize of [0, -1, 26_214_401, 1.5]) {
        const reply = yield* call("/v1/media/upload-url", jsonBody({ ...shipmentItem("X3|SKU|R|D1"), file_size: fileSize }, "writerA"))
        assert.include(assertError(reply, 400, "INVALID_REQUEST"), "file_size")
      }
      for (const fileSize of [1, 26_214_400]) {
        const reply = yield* call("/v1/media/upload-url", jsonBody({ ...shipmentItem("X3|SKU|R|D1"), file_size: fileSize }, "writerA"))
        assert.strictEqual(reply.status, 200, reply.text)
      }
    }))

  it.effect("limit is 1 to 100 in plain decimal digits: exponents, fractions, signs and leading zeros are 400", () =>
    Effect.gen(function*() {
      for (const limit of ["1e1", "01", "010", "2.5", "0", "101", "+5", "-1", "%205", "0x10", "", "1,2"]) {
        const reply = yield* search(`entity_type=shipment_item&entity_id=S1&limit=${limit}`)
        assert.include(assertError(reply, 400, "INVALID_REQUEST"), "limit", `limit=${limit}`)
      }
      // Every refusal names the range, 0 included (it is plain digits, just out of range).
      assert.include(assertError(yield* search("entity_type=shipment_item&entity_id=S1&limit=0"), 400, "INVALID_REQUEST"), "from 1 to 100")
      for (const limit of ["1", "10", "25", "99", "100"]) {
        assert.strictEqual((yield* search(`entity_type=shipment_item&entity_id=S1&limit=${limit}`)).status, 200, limit)
      }
      // Repeated parameters are ambiguous, not "the first one wins".
      assertError(yield* search("entity_type=shipment_item&entity_id=S1&limit=5&limit=6"), 400, "INVALID_REQUEST")
    }))

  it.effect("invalid UTF-8 or malformed escapes in a query parameter or a path are 400; valid UTF-8 is fine", () =>
    Effect.gen(function*() {
      const queries = [
        "entity_type=shipment_item&entity_id=%FF",
        "entity_type=shipment_item&entity_id=S1%C3",
        "entity_type=shipment_item&entity_id=S1%ED%A0%80",
        "entity_type=shipment_item&entity_id=S1&cursor=%FF",
        "entity_type=%FF&entity_id=S1",
        "entity_type=shipment_item&entity_id=S1&unknown=%FE",
        "entity_type=shipment_item&entity_id=S1&%FF=1",
        "entity_type=shipment_item&entity_id=S1%zz"
      ]
      for (const query of queries) {
        assert.include(assertError(yield* search(query), 400, "INVALID_REQUEST"), "UTF-8", query)
      }
      assert.include(assertError(yield* search("entity_type=shipment_item&entity_id=%FF"), 400, "INVALID_REQUEST"), "entity_id")
      const accented = yield* search("entity_type=shipment_item&entity_id=S%C3%A9%F0%9F%93%A6")
      assert.strictEqual(accented.status, 200, accented.text)

      for (const method of ["GET", "DELETE"]) {
        const reply = yield* call("/v1/media/%FF%FE", { method, headers: bearer("writerA") })
        assert.include(assertError(reply, 400, "INVALID_REQUEST"), "UTF-8")
      }
      // A well-formed id that is not a UUID stays a plain 404, like any unknown file.
      assertError(yield* call("/v1/media/%C3%A9", { headers: bearer("readerA") }), 404, "FILE_NOT_FOUND")
      assertError(yield* call("/healthz?probe=%FF"), 400, "INVALID_REQUEST")
    }))

  it.effect("a JSON body that is not valid UTF-8 is 400 (not decoded to U+FFFD and stored)", () =>
    Effect.gen(function*() {
      const post = (entityIdBytes: Uint8Array) =>
        call("/v1/media/upload-url", {
          method: "POST",
          headers: { "content-type": "application/json; charset=utf-8", ...bearer("writerA") },
          body: Buffer.concat([
            Buffer.from(`{"content_type":"image/png","entity_type":"shipment_item","entity_id":"`),
            entityIdBytes,
            Buffer.from(`"}`)
          ])
        })
      for (const bad of [[0xff, 0xfe], [0x53, 0x31, 0xc3], [0xed, 0xa0, 0x80]]) {
        const reply = yield* post(Buffer.concat([Buffer.from("S1|SKU|R|"), Buffer.from(bad)]))
        assert.include(assertError(reply, 400, "INVALID_REQUEST"), "UTF-8", JSON.stringify(bad))
      }
      const accented = yield* post(Buffer.from("S\u00e9|SKU|R|D\u{1F4E6}"))
      assert.strictEqual(accented.status, 200, accented.text)
      const file = yield* call(`/v1/media/${accented.json.file_id}`, { headers: bearer("readerA") })
      assert.strictEqual(file.json.entity_id, "S\u00e9|SKU|R|D\u{1F4E6}")
    }))

  it.effect("a request without a body is not refused for a Content-Length (413 is for endpoints that read one)", () =>
    Effect.gen(function*() {
      const port = Number(new URL((yield* TestServer).url).port)
      const body = "x".repeat(70 * 1024)
      const reply = yield* rawRequest(port, {
        method: "GET",
        path: "/v1/media/search?entity_type=shipment_item&entity_id=S1",
        headers: { authorization: "Bearer readerA", "content-length": String(body.length) },
        body
      })
      assert.strictEqual(reply.status, 200, reply.text)
    }))
})
