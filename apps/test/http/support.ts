/**
 * The HTTP app on memory layers, listening on 127.0.0.1 with an ephemeral
 * port, for end-to-end tests over real HTTP. Reusable by other suites:
 * `layer(layerTestServer({ routes: Layer.mergeAll(MediaHttpRoutes, MyRoutes) }))`.
 */
import { assert } from "@effect/vitest"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { HttpServer } from "effect/http"
import type { Permission, Principal } from "@media-object-storage/core/ports/Authenticator"
import type { AccountId } from "@media-object-storage/core/Ids"
import { layerMemory } from "@media-object-storage/core/memory/layerMemory"
import { MediaHttpRoutes, type MediaHttpRoutesRequirements, serve } from "../../src/http/HttpApp.ts"
import { defaultHttpConfig, HttpConfig, type HttpConfigShape } from "../../src/http/HttpConfig.ts"
import { Readiness } from "../../src/http/Readiness.ts"

export class TestServer extends Context.Service<TestServer, {
  /** e.g. `http://127.0.0.1:41234`, no trailing slash. */
  readonly url: string
}>()("apps/test/TestServer") {}

export const principal = (accountId: string, ...permissions: ReadonlyArray<Permission>): Principal => ({
  accountId: accountId as AccountId,
  permissions: new Set(permissions)
})

/** Bearer tokens of the default test server. */
export const tokens = {
  writerA: principal("acct-a", "media:read", "media:write"),
  readerA: principal("acct-a", "media:read"),
  writerB: principal("acct-b", "media:read", "media:write"),
  nothingA: principal("acct-a")
} as const satisfies Record<string, Principal>

export interface TestServerOptions<Extra = never> {
  readonly tokens?: Readonly<Record<string, Principal>>
  readonly config?: Partial<HttpConfigShape>
  readonly readiness?: Layer.Layer<Readiness>
  /** Services replacing the memory ones (e.g. a failing port), or extra ones like a Logger layer. */
  readonly overrides?: Layer.Layer<Extra>
  /** The routes to serve; `MediaHttpRoutes` by default. */
  readonly routes?: Layer.Layer<never, never, MediaHttpRoutesRequirements>
}

/** Serves the routes on memory ports; outputs `TestServer` and every memory port (to seed or inspect). */
export const layerTestServer = <Extra = never>(options: TestServerOptions<Extra> = {}) => {
  const ports = layerMemory({ tokens: options.tokens ?? tokens })
  const config = Layer.succeed(HttpConfig, { ...defaultHttpConfig, logRequests: false, ...options.config })
  const server = serve(options.routes ?? MediaHttpRoutes, { port: 0, host: "127.0.0.1" })
  const url = Layer.effect(
    TestServer,
    Effect.gen(function*() {
      const { address } = yield* HttpServer.HttpServer
      if (address._tag !== "InetAddressV4") return yield* Effect.die(new Error("expected an IPv4 address"))
      return TestServer.of({ url: `http://127.0.0.1:${address.port}` })
    })
  )
  return url.pipe(
    Layer.provide(server),
    Layer.provideMerge(Layer.mergeAll(
      ports,
      config,
      options.readiness ?? Readiness.layerAlwaysReady,
      options.overrides ?? Layer.empty
    ))
  )
}

export interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: any
}

/** One real HTTP request to the test server. */
export const call = (path: string, init: RequestInit = {}) =>
  Effect.gen(function*() {
    const { url } = yield* TestServer
    const response = yield* Effect.promise(() => fetch(`${url}${path}`, init))
    const text = yield* Effect.promise(() => response.text())
    const reply: Reply = { status: response.status, headers: response.headers, text, json: parseJson(text) }
    return reply
  })

const parseJson = (text: string): unknown => {
  if (text === "") return undefined
  return Option.getOrUndefined(Schema.decodeUnknownOption(Schema.fromJsonString(Schema.Unknown))(text))
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })

export const jsonBody = (body: unknown, token?: string): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...(token === undefined ? {} : bearer(token)) },
  body: JSON.stringify(body)
})

/** Asserts a SPEC §7 error: status, code, exact body keys, and `request_id` equal to the `x-request-id` header. */
export const assertError = (reply: Reply, status: number, code: string): string => {
  assert.strictEqual(reply.status, status, reply.text)
  assert.strictEqual(reply.headers.get("content-type"), "application/json")
  assert.deepStrictEqual(Object.keys(reply.json).sort(), ["error_code", "error_data", "request_id"])
  assert.deepStrictEqual(Object.keys(reply.json.error_data), ["message"])
  assert.strictEqual(reply.json.error_code, code)
  assert.isString(reply.json.error_data.message)
  assert.isString(reply.headers.get("x-request-id"))
  assert.strictEqual(reply.json.request_id, reply.headers.get("x-request-id"))
  return reply.json.error_data.message
}

export const shipmentItem = (entityId: string, contentType = "image/png") => ({
  content_type: contentType,
  entity_type: "shipment_item",
  entity_id: entityId
})

/** Asks for an upload target and returns the new file id. */
export const createFile = (token: string, entityId: string) =>
  Effect.map(call("/v1/media/upload-url", jsonBody(shipmentItem(entityId), token)), (reply) => {
    assert.strictEqual(reply.status, 200, reply.text)
    return reply.json.file_id as string
  })
