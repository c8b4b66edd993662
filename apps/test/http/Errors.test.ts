import { assert, describe, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { FileRepository, RepositoryError } from "@media-object-storage/core/ports/FileRepository"
import { UrlSigner } from "@media-object-storage/core/ports/UrlSigner"
import { assertError, bearer, call, createFile, jsonBody, layerTestServer, shipmentItem } from "./support.ts"

const json = { "content-type": "application/json" }

layer(layerTestServer())("MediaApi errors", (it) => {
  it.effect("schema violations, malformed JSON and bad values are 400 INVALID_REQUEST", () =>
    Effect.gen(function*() {
      const missing = yield* call("/v1/media/upload-url", jsonBody({ content_type: "image/png" }, "writerA"))
      assert.include(assertError(missing, 400, "INVALID_REQUEST"), "entity_type")
      const wrongType = yield* call("/v1/media/upload-url", jsonBody({ ...shipmentItem("A|B|C|D"), file_size: "big" }, "writerA"))
      assert.include(assertError(wrongType, 400, "INVALID_REQUEST"), "file_size")
      const malformed = yield* call("/v1/media/upload-url", {
        method: "POST",
        headers: { ...json, ...bearer("writerA") },
        body: "{\"content_type\":"
      })
      assert.include(assertError(malformed, 400, "INVALID_REQUEST"), "JSON")
      const heic = yield* call("/v1/media/upload-url", jsonBody(shipmentItem("A|B|C|D", "image/heic"), "writerA"))
      assert.include(assertError(heic, 400, "INVALID_REQUEST"), "convert HEIC/HEIF photos to JPEG")
      const partialKey = yield* call("/v1/media/upload-url", jsonBody(shipmentItem("A|B"), "writerA"))
      assertError(partialKey, 400, "INVALID_REQUEST")
    }))

  it.effect("bad search parameters are 400", () =>
    Effect.gen(function*() {
      const search = (query: string) => call(`/v1/media/search?${query}`, { headers: bearer("readerA") })
      for (const limit of ["x", "1.5", "0", "101", "-1"]) {
        assertError(yield* search(`entity_type=shipment_item&entity_id=S1&limit=${limit}`), 400, "INVALID_REQUEST")
      }
      assertError(yield* search("entity_type=shipment_item"), 400, "INVALID_REQUEST")
      assertError(yield* search("entity_type=shipment_item&entity_id=S1%7C"), 400, "INVALID_REQUEST")
      assertError(yield* search("entity_type=nope&entity_id=S1"), 400, "INVALID_REQUEST")
      assertError(yield* search("entity_type=shipment_item&entity_id=S1&cursor=forged"), 400, "INVALID_REQUEST")
      assert.strictEqual((yield* search("entity_type=shipment_item&entity_id=S1&limit=100")).status, 200)
    }))

  it.effect("missing or wrong credentials are 401 with WWW-Authenticate; a missing permission is 403", () =>
    Effect.gen(function*() {
      for (const headers of [{}, bearer("wrong"), { authorization: "Basic Zm9vOmJhcg==" }, { authorization: "Token x" }]) {
        const reply = yield* call("/v1/media/search?entity_type=shipment_item&entity_id=S1", { headers })
        assertError(reply, 401, "ACCESS_DENIED")
        assert.strictEqual(reply.headers.get("www-authenticate"), `Basic realm="media", Bearer`)
      }
      // Authentication comes before the body is even read.
      assertError(yield* call("/v1/media/upload-url", jsonBody({})), 401, "ACCESS_DENIED")
      const readOnly = yield* call("/v1/media/upload-url", jsonBody(shipmentItem("A|B|C|D"), "readerA"))
      assert.include(assertError(readOnly, 403, "ACCESS_DENIED"), "media:write")
      assert.isNull(readOnly.headers.get("www-authenticate"))
      const fileId = yield* createFile("writerA", "A|B|C|D")
      assertError(yield* call(`/v1/media/${fileId}`, { method: "DELETE", headers: bearer("readerA") }), 403, "ACCESS_DENIED")
      assertError(yield* call(`/v1/media/${fileId}`, { headers: bearer("nothingA") }), 403, "ACCESS_DENIED")
    }))

  it.effect("unknown files are 404 FILE_NOT_FOUND, malformed ids included", () =>
    Effect.gen(function*() {
      for (const id of [globalThis.crypto.randomUUID(), "not-a-uuid"]) {
        assertError(yield* call(`/v1/media/${id}`, { headers: bearer("readerA") }), 404, "FILE_NOT_FOUND")
      }
    }))

  it.effect("unknown routes are 404 and wrong methods 405 INVALID_REQUEST", () =>
    Effect.gen(function*() {
      assert.include(assertError(yield* call("/v2/nothing?secret=x"), 404, "INVALID_REQUEST"), "/v2/nothing")
      assertError(yield* call("/v1/media/a/b", { headers: bearer("readerA") }), 404, "INVALID_REQUEST")
      const put = yield* call(`/v1/media/${globalThis.crypto.randomUUID()}`, { method: "PUT", headers: bearer("writerA") })
      assertError(put, 405, "INVALID_REQUEST")
      assert.strictEqual(put.headers.get("allow"), "GET, DELETE, HEAD")
      const getUpload = yield* call("/v1/media/upload-url", { headers: bearer("writerA") })
      assertError(getUpload, 405, "INVALID_REQUEST")
      assert.strictEqual(getUpload.headers.get("allow"), "POST")
      assertError(yield* call("/healthz", { method: "DELETE" }), 405, "INVALID_REQUEST")
    }))

  it.effect("a body over the limit is 413 and a body that is not JSON 415, both INVALID_REQUEST", () =>
    Effect.gen(function*() {
      const big = { ...shipmentItem("A|B|C|D"), padding: "x".repeat(70 * 1024) }
      assertError(yield* call("/v1/media/upload-url", jsonBody(big, "writerA")), 413, "INVALID_REQUEST")
      const text = yield* call("/v1/media/upload-url", {
        method: "POST",
        headers: { "content-type": "text/plain", ...bearer("writerA") },
        body: JSON.stringify(shipmentItem("A|B|C|D"))
      })
      assertError(text, 415, "INVALID_REQUEST")
    }))

  it.effect("a chunked body (no Content-Length) is cut off at the limit with 413", () =>
    Effect.gen(function*() {
      const chunk = new TextEncoder().encode(" ".repeat(16 * 1024))
      let sent = 0
      // 8 x 16 KiB: twice the default 64 KiB limit, streamed so no Content-Length is sent.
      const body = new ReadableStream<Uint8Array>({
        pull: (controller) => sent++ < 8 ? controller.enqueue(chunk) : controller.close()
      })
      const reply = yield* call("/v1/media/upload-url", {
        method: "POST",
        headers: { ...json, ...bearer("writerA") },
        body,
        duplex: "half"
      } as RequestInit)
      assertError(reply, 413, "INVALID_REQUEST")
    }))

  it.effect("x-request-id: a well-formed client id is kept, anything else replaced by a UUID", () =>
    Effect.gen(function*() {
      const kept = yield* call("/v2/nothing", { headers: { "x-request-id": "client.Req_1-2" } })
      assert.strictEqual(kept.headers.get("x-request-id"), "client.Req_1-2")
      assert.strictEqual(kept.json.request_id, "client.Req_1-2")
      const longest = "a".repeat(128)
      assert.strictEqual((yield* call("/healthz", { headers: { "x-request-id": longest } })).headers.get("x-request-id"), longest)
      for (const bad of ["a".repeat(129), "has space", "semi;colon", "ünï"]) {
        const reply = yield* call("/v2/nothing", { headers: { "x-request-id": bad } })
        const id = reply.headers.get("x-request-id")
        assert.match(id ?? "", /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
        assert.strictEqual(reply.json.request_id, id)
      }
      // Success responses carry one too.
      assert.match((yield* call("/healthz")).headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/)
    }))
})

const failingRepository = Layer.succeed(FileRepository, FileRepository.of({
  create: () => Effect.fail(new RepositoryError({ operation: "create", cause: new Error("db password=hunter2 refused") })),
  // DELETE reads the record before it writes its tombstone: the database fails there.
  get: () => Effect.fail(new RepositoryError({ operation: "get", cause: new Error("db password=hunter2 refused") })),
  transition: () => Effect.void,
  delete: () => Effect.fail(new RepositoryError({ operation: "delete", cause: new Error("db password=hunter2 refused") })),
  search: () => Effect.die(new Error("search exploded at /srv/secret/path")),
  listDue: () => Effect.succeed([])
}))

describe("MediaApi internal errors", () => {
  layer(layerTestServer({ overrides: Layer.mergeAll(failingRepository, Layer.succeed(UrlSigner, UrlSigner.of({ sign: () => Effect.die("boom"), signDerivatives: () => Effect.die("boom") }))) }))((it) => {
    it.effect("infrastructure failures and defects are 500 INTERNAL_ERROR revealing nothing", () =>
      Effect.gen(function*() {
        const replies = [
          yield* call("/v1/media/upload-url", jsonBody(shipmentItem("A|B|C|D"), "writerA")),
          yield* call(`/v1/media/${globalThis.crypto.randomUUID()}`, { method: "DELETE", headers: bearer("writerA") }),
          yield* call("/v1/media/search?entity_type=shipment_item&entity_id=S1", { headers: bearer("readerA") })
        ]
        for (const reply of replies) {
          assert.strictEqual(assertError(reply, 500, "INTERNAL_ERROR"), "internal error")
          assert.notInclude(reply.text, "hunter2")
          assert.notInclude(reply.text, "secret")
        }
      }))
  })
})
