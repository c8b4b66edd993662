/**
 * Property-based fuzz of the HTTP surface (SPEC §3, §5, §7): whatever arrives —
 * odd paths, methods, queries, headers, bodies and credentials — the answer is
 * never a 5xx, every error has exactly the documented shape and request id,
 * and nothing of account A ever reaches anyone else.
 */
import { assert, describe, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as fc from "fast-check"
import { ObjectStore } from "@media-object-storage/core/ports/ObjectStore"
import { call, createFile, layerTestServer, TestServer } from "../../apps/test/http/support.ts"
import { pngHeader } from "./support/files.ts"
import { type RawReply, type RawRequest, rawRequest } from "./support/rawRequest.ts"
import { handleObjectCreated } from "../../core/test/usecases/processing.ts"

const entityIds = ["S1|SKU-1|DAMAGED|D1", "S1|SKU-1|DAMAGED|D2", "S2|SKU-9|WRONG|D3"]
const validRequestId = /^[A-Za-z0-9._-]{1,128}$/

/** Both accounts get files under the same entity ids, so a tenancy slip would show up in searches. */
const seed = Effect.gen(function*() {
  const a = yield* Effect.forEach(entityIds, (id) => createFile("writerA", id))
  const b = yield* Effect.forEach(entityIds, (id) => createFile("writerB", id))
  // One of A's files is ready, so signed URLs exist to leak too.
  yield* (yield* ObjectStore).put(`originals/acct-a/${a[0]}`, pngHeader(64, 48), "image/png")
  yield* handleObjectCreated(`originals/acct-a/${a[0]}`)
  return { a, b }
})

const text = (max: number) => fc.string({ unit: "grapheme", maxLength: max })
const ascii = (max: number) => fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: max })

/** Path and query pieces: the real ones, ids of both accounts, traversal, escapes, unicode, very long. */
const requestArb = (ids: { a: ReadonlyArray<string>; b: ReadonlyArray<string> }) => {
  const segment = fc.oneof(
    fc.constantFrom("v1", "media", "upload-url", "search", "healthz", "readyz", "openapi.json", "docs", "storage"),
    fc.constantFrom(...ids.a, ...ids.b, "00000000-0000-0000-0000-000000000000", "not-a-uuid"),
    fc.constantFrom("..", ".", "%2e%2e", "%2E%2E%2F", "%00", "%", "%zz", "%ff%fe", "", "~", "%2f", ";x=1", "a b"),
    text(12),
    fc.constant("a".repeat(5000))
  )
  const path = fc.oneof(
    // Mostly the real routes, so requests get past routing into auth, decoding and the handlers.
    { weight: 5, arbitrary: fc.constantFrom("/v1/media/upload-url", "/v1/media/search", ...[...ids.a, ...ids.b].map((id) => `/v1/media/${id}`)) },
    { weight: 2, arbitrary: fc.array(segment, { maxLength: 5 }).map((s) => `/${s.join("/")}`) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom("/v1/media/", "/v1/media//", "//v1/media/", "/v1/media/../media/"), segment).map(([p, s]) => p + s) }
  )
  const queryValue = fc.oneof(
    fc.constantFrom("shipment_item", ...entityIds, "S1", "S1|", "|", "-1", "0", "101", "1e309", "99999999999999999999", "NaN", ""),
    text(20),
    fc.constant("x".repeat(3000))
  )
  const query: fc.Arbitrary<Array<[string, string]>> = fc.array(
    fc.tuple(fc.constantFrom("entity_type", "entity_id", "limit", "cursor", "limit[]", "entity_id[0]", "__proto__", "x"), queryValue),
    { maxLength: 6 }
  )
  const authorization = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom("Bearer writerB", "Bearer readerA") },
    fc.constant(undefined),
    fc.constantFrom("Bearer readerA", "Bearer nothingA", "Bearer writerB", "bearer writerB", "Bearer", "Bearer  writerB", "Basic", "Digest x"),
    fc.base64String({ maxLength: 40 }).map((b) => `Basic ${b}`),
    ascii(60).map((s) => `Basic ${s}`),
    ascii(60)
  )
  const body = fc.oneof(
    fc.constant(undefined),
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
    fc.record({
      content_type: fc.oneof(fc.constantFrom("image/jpeg", "image/heic", "text/html"), fc.jsonValue()),
      entity_type: fc.oneof(fc.constantFrom("shipment_item", "order"), fc.jsonValue()),
      entity_id: fc.oneof(fc.constantFrom(...entityIds, "a|b", "|||"), fc.jsonValue()),
      file_size: fc.oneof(fc.constantFrom(-1, 0, 1.5, 1e20, "12", null), fc.integer())
    }, { requiredKeys: [] }).chain((v) => fc.dictionary(ascii(8), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }).map((extra) => JSON.stringify({ ...extra, ...v }))),
    ascii(200),
    fc.integer({ min: 1, max: 4000 }).map((n) => "[".repeat(n) + "]".repeat(n)),
    fc.constant(JSON.stringify({ content_type: "image/jpeg", entity_type: "shipment_item", entity_id: "x".repeat(70_000) }))
  )
  const search: fc.Arbitrary<Array<[string, string]>> = fc.tuple(
    fc.constantFrom(...entityIds, "S1", "S2|SKU-9", "S1|SKU-1"),
    fc.option(fc.integer({ min: 1, max: 3 })),
    fc.option(fc.oneof(ascii(40), fc.base64String({ maxLength: 60 })))
  ).map(([id, limit, cursor]) => [
    ["entity_type", "shipment_item"],
    ["entity_id", id],
    ...(limit === null ? [] : [["limit", String(limit)] as [string, string]]),
    ...(cursor === null ? [] : [["cursor", cursor] as [string, string]])
  ])
  /** Well-formed routes with the right methods and live credentials: the handlers themselves get fuzzed. */
  const plausible = fc.record({
    route: fc.oneof(
      search.map((q) => ({ method: "GET", path: "/v1/media/search", query: q })),
      fc.constantFrom(...ids.a, ...ids.b).chain((id) =>
        fc.constantFrom("GET", "DELETE").map((method) => ({ method, path: `/v1/media/${id}`, query: [] as Array<[string, string]> }))
      ),
      fc.constant({ method: "POST", path: "/v1/media/upload-url", query: [] as Array<[string, string]> })
    ),
    requestId: fc.option(fc.oneof(fc.stringMatching(validRequestId), ascii(200)), { nil: undefined }),
    contentType: fc.constantFrom("application/json", undefined),
    authorization: fc.constantFrom("Bearer writerB", "Bearer readerA"),
    body
  }).map(({ route, ...rest }) => ({ ...route, ...rest }))
  const anything = fc.record({
    method: fc.oneof({ weight: 3, arbitrary: fc.constantFrom("GET", "POST") }, fc.constantFrom("PUT", "DELETE", "PATCH", "OPTIONS", "HEAD")),
    path,
    query,
    requestId: fc.option(fc.oneof(fc.stringMatching(validRequestId), ascii(200)), { nil: undefined }),
    contentType: fc.option(
      fc.constantFrom("application/json", "text/plain", "application/json; charset=utf-16", "multipart/form-data; boundary=x", "image/jpeg", ""),
      { nil: undefined }
    ),
    authorization,
    body
  })
  return fc.oneof(anything, plausible)
}
type Fuzzed = typeof requestArb extends (ids: any) => fc.Arbitrary<infer A> ? A : never

/** Non-ASCII, spaces and controls percent-encoded (Node refuses them raw); `..`, `%00` and friends kept. */
const onTheWire = (raw: string) => raw.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c))

const toRaw = (f: Fuzzed): RawRequest => {
  const query = f.query.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&")
  const headers: Record<string, string> = {}
  if (f.requestId !== undefined) headers["x-request-id"] = f.requestId
  if (f.contentType !== undefined) headers["content-type"] = f.contentType
  if (f.authorization !== undefined) headers["authorization"] = f.authorization
  return { method: f.method, path: onTheWire(f.path) + (query === "" ? "" : `?${query}`), headers, body: f.body }
}

const header = (reply: RawReply, name: string) => {
  const value = reply.headers[name]
  return typeof value === "string" ? value : undefined
}

/** The SPEC §7 laws every reply obeys. */
const checkReply = (req: RawRequest, reply: RawReply, foreignIds: ReadonlyArray<string>) => {
  const where = `${req.method} ${req.path.slice(0, 200)} -> ${reply.status} ${reply.text.slice(0, 300)}`
  assert.isBelow(reply.status, 500, where)
  const requestId = header(reply, "x-request-id")
  assert.isString(requestId, where)
  // HTTP strips optional whitespace around header values before the app sees them.
  const sent = req.headers["x-request-id"]?.replace(/^[ \t]+|[ \t]+$/g, "")
  if (sent !== undefined && validRequestId.test(sent)) assert.strictEqual(requestId, sent, where)
  else assert.match(requestId!, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, where)
  if (reply.status >= 400 && req.method !== "HEAD") {
    assert.strictEqual(header(reply, "content-type"), "application/json", where)
    const body = JSON.parse(reply.text)
    assert.deepStrictEqual(Object.keys(body).sort(), ["error_code", "error_data", "request_id"], where)
    assert.deepStrictEqual(Object.keys(body.error_data), ["message"], where)
    assert.isString(body.error_code, where)
    assert.isString(body.error_data.message, where)
    assert.strictEqual(body.request_id, requestId, where)
  }
  // A's ids may come back only if the caller sent them (e.g. in a path), never from A's data.
  const everything = reply.text + JSON.stringify(reply.headers)
  const asked = req.path + JSON.stringify(req.body ?? "")
  for (const id of foreignIds) if (!asked.includes(id)) assert.notInclude(everything, id, `leaked ${id}: ${where}`)
}

const portOf = TestServer.useSync((server) => Number(new URL(server.url).port))

describe("HTTP fuzz", () => {
  layer(layerTestServer(), { excludeTestServices: true, timeout: 60_000 })((it) => {
    it.effect("random requests from anyone but A's writer: no 5xx, exact error shape, nothing of A leaks", () =>
      Effect.gen(function*() {
        const ids = yield* seed
        const port = yield* portOf
        const context = yield* Effect.context<Layer.Success<ReturnType<typeof layerTestServer>>>()
        yield* Effect.promise(() =>
          fc.assert(
            // Request lines past Node's 16 KB header limit are the next test's business.
            fc.asyncProperty(requestArb(ids).filter((f) => toRaw(f).path.length < 12_000), (fuzzed) =>
              Effect.runPromise(Effect.gen(function*() {
                const req = toRaw(fuzzed)
                const reply = yield* rawRequest(port, req)
                // Only A's own credentials may see A's files; every token here is someone else's or none.
                const actsAsA = /^Bearer (readerA|nothingA)$/.test(fuzzed.authorization ?? "")
                checkReply(req, reply, actsAsA ? [] : ids.a)
              }).pipe(Effect.provideContext(context)))),
            { numRuns: 300, endOnFailure: true }
          )
        )
        // Nobody but A's writer could delete A's files: they all still exist.
        for (const id of ids.a) {
          const reply = yield* call(`/v1/media/${id}`, { headers: { authorization: "Bearer readerA" } })
          assert.strictEqual(reply.status, 200, reply.text)
        }
      }), 60_000)

    it.effect("a request line over Node's header limit still gets a 4xx with the error shape and a request id", () =>
      Effect.gen(function*() {
        const port = yield* portOf
        for (const path of [`/v1/media/${"a".repeat(20_000)}`, `/v1/media/search?entity_id=${"S".repeat(20_000)}`]) {
          const req: RawRequest = { method: "GET", path, headers: { authorization: "Bearer writerB", "x-request-id": "long-line" } }
          const reply = yield* rawRequest(port, req)
          assert.isAtLeast(reply.status, 400)
          checkReply(req, reply, [])
        }
      }))

    it.effect("a body over the limit is 413 INVALID_REQUEST whatever it contains", () =>
      Effect.gen(function*() {
        const port = yield* portOf
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(
              fc.integer({ min: 64 * 1024 + 1, max: 200 * 1024 }),
              fc.constantFrom("application/json", "application/json; charset=utf-8"),
              fc.constantFrom("x", "{", "[", " "),
              (size, contentType, fill) =>
                Effect.runPromise(Effect.gen(function*() {
                  const req: RawRequest = {
                    method: "POST",
                    path: "/v1/media/upload-url",
                    headers: { "content-type": contentType, authorization: "Bearer writerB" },
                    body: fill.repeat(size)
                  }
                  const reply = yield* rawRequest(port, req)
                  assert.strictEqual(reply.status, 413, reply.text.slice(0, 200))
                  checkReply(req, reply, [])
                  assert.strictEqual(JSON.parse(reply.text).error_code, "INVALID_REQUEST")
                }))
            ),
            { numRuns: 30, endOnFailure: true }
          )
        )
      }))
  })
})
