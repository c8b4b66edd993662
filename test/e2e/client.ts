/**
 * A small HTTP client for the end-to-end suites: real requests with fetch
 * against the `E2eServer` of the mode under test, as an outside client would.
 */
import { assert } from "@effect/vitest"
import { Effect, Option, Schema } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { auth, E2eServer } from "../support/servers.ts"

export interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: any
  readonly bytes: Uint8Array
}

const parseJson = (text: string): unknown =>
  text === "" ? undefined : Option.getOrUndefined(Schema.decodeUnknownOption(Schema.fromJsonString(Schema.Unknown))(text))

/** One request to an absolute URL. */
export const fetchUrl = (url: string, init: RequestInit = {}) =>
  Effect.promise(async (): Promise<Reply> => {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) })
    const bytes = new Uint8Array(await response.arrayBuffer())
    const text = new TextDecoder().decode(bytes)
    return { status: response.status, headers: response.headers, text, json: parseJson(text), bytes }
  })

/** One request to the API, `path` relative to its origin. */
export const call = (path: string, init: RequestInit = {}) =>
  Effect.flatMap(E2eServer, (server) => fetchUrl(`${server.url}${path}`, init))

export const get = (path: string, authorization: string = auth.writerA) => call(path, { headers: { authorization } })

export const del = (path: string, authorization: string = auth.writerA) =>
  call(path, { method: "DELETE", headers: { authorization } })

export const postJson = (path: string, body: unknown, authorization: string = auth.writerA) =>
  call(path, {
    method: "POST",
    headers: { authorization, "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body)
  })

export const item = (entityId: string, contentType = "image/jpeg", extra: Record<string, unknown> = {}) => ({
  content_type: contentType,
  entity_type: "shipment_item",
  entity_id: entityId,
  ...extra
})

export interface Ticket {
  readonly file_id: string
  readonly upload_url: string
  readonly fields: Record<string, string>
  readonly expires_at: number
}

export const requestUpload = (entityId: string, contentType = "image/jpeg", authorization: string = auth.writerA, extra: Record<string, unknown> = {}) =>
  Effect.map(postJson("/v1/media/upload-url", item(entityId, contentType, extra), authorization), (reply) => {
    assert.strictEqual(reply.status, 200, reply.text)
    assert.strictEqual(reply.json.status, "uploading")
    return reply.json as Ticket
  })

/** The pre-signed POST as a browser sends it: every field first, the file last, as a Blob of the declared type. */
export const postUpload = (ticket: Ticket, bytes: Uint8Array, fileType: string, fields: Record<string, string> = {}) => {
  const form = new FormData()
  for (const [name, value] of Object.entries({ ...ticket.fields, ...fields })) form.append(name, value)
  form.append("file", new Blob([new Uint8Array(bytes)], { type: fileType }), "photo")
  return fetchUrl(ticket.upload_url, { method: "POST", body: form })
}

/** Requests a target and uploads `bytes` to it; asserts storage's 204. */
export const upload = (entityId: string, bytes: Uint8Array, contentType = "image/jpeg", authorization: string = auth.writerA) =>
  Effect.gen(function*() {
    const ticket = yield* requestUpload(entityId, contentType, authorization)
    const stored = yield* postUpload(ticket, bytes, contentType)
    assert.strictEqual(stored.status, 204, stored.text)
    return ticket.file_id
  })

/** Polls the file until it is `ready` or `failed`; fails the test after `seconds`. */
export const settled = (fileId: string, authorization: string = auth.writerA, seconds = 45) =>
  Effect.gen(function*() {
    const deadline = performance.now() + seconds * 1000
    while (performance.now() < deadline) {
      const reply = yield* get(`/v1/media/${fileId}`, authorization)
      assert.strictEqual(reply.status, 200, reply.text)
      if (reply.json.status === "ready" || reply.json.status === "failed") return reply.json
      yield* Effect.sleep("100 millis")
    }
    return assert.fail(`file ${fileId} did not settle within ${seconds} s`)
  })

export const searchPath = (entityId: string, extra = "") =>
  `/v1/media/search?entity_type=shipment_item&entity_id=${encodeURIComponent(entityId)}${extra}`

/** Asserts a SPEC §7 error: status, code, exact body keys, and `request_id` equal to the `x-request-id` header. */
export { assertError } from "../../apps/test/http/support.ts"

const fixtures = join(import.meta.dirname, "../../adapters/test/fixtures/images")

/** A corpus image (adapters/test/fixtures/images, with its licence there). */
export const fixture = (path: string): Uint8Array => new Uint8Array(readFileSync(join(fixtures, path)))

/**
 * The kinds (first key segment) of the stored objects of a file, once they are
 * `expected` or after a bounded wait: the original is deleted just after the
 * final state is written, so a client may see `ready` a moment before that.
 */
export const objectKinds = (fileId: string, expected: ReadonlyArray<string>, seconds = 20) =>
  Effect.gen(function*() {
    const server = yield* E2eServer
    const deadline = performance.now() + seconds * 1000
    const want = [...expected].sort().join(",")
    let kinds: Array<string> = []
    do {
      const keys = (yield* server.objectKeys).filter((key) => key.includes(fileId))
      kinds = keys.map((key) => key.split("/")[0] ?? "").sort()
      if (kinds.join(",") === want) return kinds
      yield* Effect.sleep("100 millis")
    } while (performance.now() < deadline)
    return kinds
  })
