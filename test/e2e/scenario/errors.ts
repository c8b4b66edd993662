/**
 * Every error class of SPEC §7 through the real server, each with the exact
 * error shape and its request id; and the unauthenticated operational routes.
 */
import { assert, type Vitest } from "@effect/vitest"
import { Effect } from "effect"
import { auth, type E2eServer } from "../../support/servers.ts"
import { assertError, call, del, get, item, postJson, searchPath } from "../client.ts"

const unknownId = "00000000-0000-4000-8000-000000000000"

export const errors = <R>(it: Vitest.MethodsNonLive<E2eServer | R>) => {
  it.effect("400 INVALID_REQUEST for malformed input", () =>
    Effect.gen(function*() {
      const upload = (body: unknown) => postJson("/v1/media/upload-url", body)
      assertError(yield* upload("{not json"), 400, "INVALID_REQUEST")
      assertError(yield* upload({ content_type: "image/jpeg", entity_type: "shipment_item" }), 400, "INVALID_REQUEST")
      assertError(yield* upload(item("S1|SKU", "image/jpeg")), 400, "INVALID_REQUEST")
      assertError(yield* upload(item("S1|SKU|R|D1", "image/jpeg", { file_size: 0 })), 400, "INVALID_REQUEST")
      assertError(yield* upload(item("S1|SKU|R|D1", "application/pdf")), 400, "INVALID_REQUEST")
      const heic = assertError(yield* upload(item("S1|SKU|R|D1", "image/heic")), 400, "INVALID_REQUEST")
      assert.match(heic, /convert .*JPEG/i)

      for (const extra of ["&limit=0", "&limit=101", "&limit=ten", "&cursor=not-a-cursor"]) {
        assertError(yield* get(searchPath("S1", extra)), 400, "INVALID_REQUEST")
      }
      assertError(yield* get(searchPath("S1|")), 400, "INVALID_REQUEST")
      assertError(yield* get(searchPath("S1|SKU|R|D1|E")), 400, "INVALID_REQUEST")
      assertError(yield* get("/v1/media/search?entity_type=shipment_item"), 400, "INVALID_REQUEST")
    }))

  it.effect("401 ACCESS_DENIED with WWW-Authenticate for missing or wrong credentials", () =>
    Effect.gen(function*() {
      const wrongPassword = `Basic ${Buffer.from("10020-140:wrong").toString("base64")}`
      const replies = [
        yield* call("/v1/media/search?entity_type=shipment_item&entity_id=S1"),
        yield* get(searchPath("S1"), wrongPassword),
        yield* get(searchPath("S1"), "Bearer not-a-token"),
        yield* postJson("/v1/media/upload-url", item("S1|SKU|R|D1"), "Bearer not-a-token")
      ]
      for (const reply of replies) {
        assertError(reply, 401, "ACCESS_DENIED")
        assert.match(reply.headers.get("www-authenticate") ?? "", /Basic|Bearer/)
      }
    }))

  it.effect("403 ACCESS_DENIED for a read-only credential on writes", () =>
    Effect.gen(function*() {
      assertError(yield* postJson("/v1/media/upload-url", item("S1|SKU|R|D1"), auth.readerA), 403, "ACCESS_DENIED")
      const fileId = (yield* postJson("/v1/media/upload-url", item("S1|SKU|R|D1"))).json.file_id
      assertError(yield* del(`/v1/media/${fileId}`, auth.readerA), 403, "ACCESS_DENIED")
      assert.strictEqual((yield* get(`/v1/media/${fileId}`, auth.readerA)).status, 200, "the reader can still read")
    }))

  it.effect("404 for unknown files and routes, 405 for wrong methods, 413 over the body limit", () =>
    Effect.gen(function*() {
      assertError(yield* get(`/v1/media/${unknownId}`), 404, "FILE_NOT_FOUND")
      assertError(yield* get("/v1/media/not-a-uuid"), 404, "FILE_NOT_FOUND")
      assertError(yield* get("/v1/nothing-here"), 404, "INVALID_REQUEST")
      assertError(yield* call("/v1/media/upload-url", { method: "PUT", headers: { authorization: auth.writerA } }), 405, "INVALID_REQUEST")
      assertError(yield* call("/healthz", { method: "POST" }), 405, "INVALID_REQUEST")
      const huge = JSON.stringify(item("S1|SKU|R|D1", "image/jpeg", { padding: "x".repeat(200 * 1024) }))
      assertError(yield* postJson("/v1/media/upload-url", huge), 413, "INVALID_REQUEST")
    }))

  it.effect("keeps a well-formed client request id and replaces a malformed one", () =>
    Effect.gen(function*() {
      const kept = yield* call(`/v1/media/${unknownId}`, { headers: { authorization: auth.writerA, "x-request-id": "trace-42.a_b" } })
      assertError(kept, 404, "FILE_NOT_FOUND")
      assert.strictEqual(kept.headers.get("x-request-id"), "trace-42.a_b")
      const replaced = yield* call("/healthz", { headers: { "x-request-id": "bad id!" } })
      assert.match(replaced.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/)
    }))

  it.effect("operational routes answer without credentials", () =>
    Effect.gen(function*() {
      assert.strictEqual((yield* call("/healthz")).status, 200)
      const ready = yield* call("/readyz")
      assert.strictEqual(ready.status, 200, ready.text)
      const openapi = yield* call("/openapi.json")
      assert.strictEqual(openapi.status, 200)
      assert.match(openapi.json.openapi, /^3\.1\./)
      for (const path of ["/v1/media/upload-url", "/v1/media/search", "/v1/media/{file_id}"]) {
        assert.property(openapi.json.paths, path)
      }
      const docs = yield* call("/docs")
      assert.strictEqual(docs.status, 200)
      assert.include(docs.headers.get("content-type") ?? "", "text/html")
      const preflight = yield* call("/v1/media/upload-url", {
        method: "OPTIONS",
        headers: { origin: "https://pos.example", "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" }
      })
      assert.isBelow(preflight.status, 300, preflight.text)
      assert.isNotNull(preflight.headers.get("access-control-allow-origin"))
    }))
}
