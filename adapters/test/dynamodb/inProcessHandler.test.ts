/**
 * The in-process request handler on its own, against fake listeners: what it
 * hands the listener, what it returns, and that a listener which never answers
 * fails the request within the bound instead of hanging it.
 */
import { assert, describe, it } from "@effect/vitest"
import { GetItemCommand } from "@aws-sdk/client-dynamodb"
import { HttpRequest } from "@smithy/core/protocols"
import { Effect } from "effect"
import type { IncomingMessage } from "node:http"
import { makeDocumentClient, localClientConfig } from "../../src/dynamodb/DynamoTable.ts"
import { inProcessAuthSchemes, makeInProcessHandler, type RequestListener } from "../../src/dynamodb/InProcessHandler.ts"

const request = () =>
  new HttpRequest({
    method: "POST",
    protocol: "http:",
    hostname: "dynalite.invalid",
    path: "/",
    query: { a: "1" },
    headers: { "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.GetItem" },
    body: "{\"TableName\":\"t\"}"
  })

/** A listener that never answers, counting the requests it was handed. */
const silent = () => {
  const seen: Array<IncomingMessage> = []
  const listener: RequestListener = (req) => void seen.push(req)
  return { seen, listener }
}

const rejection = (promise: () => Promise<unknown>) =>
  Effect.tryPromise({ try: promise, catch: (error) => error as Error & { code?: string } }).pipe(Effect.flip)

const elapsed = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const started = performance.now()
    const result = yield* effect
    return { result, ms: performance.now() - started }
  })

describe("InProcessHandler", () => {
  it.effect("hands the listener the method, url, lower-case headers and body, and returns status, headers and bytes", () =>
    Effect.gen(function*() {
      const handler = makeInProcessHandler((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (chunk: Buffer) => chunks.push(chunk))
        req.on("end", () => {
          res.statusCode = 201
          res.setHeader("X-Echo", `${req.method} ${req.url} ${req.headers["x-amz-target"]}`)
          res.setHeader("Content-Length", 5)
          setImmediate(() => res.end(Buffer.concat(chunks).toString().slice(0, 5)))
        })
      })
      const { response } = yield* Effect.promise(() => handler.handle(request()))
      assert.strictEqual(response.statusCode, 201)
      assert.strictEqual(response.headers["x-echo"], "POST /?a=1 DynamoDB_20120810.GetItem")
      assert.strictEqual(response.headers["content-length"], "5")
      assert.instanceOf(response.body, Uint8Array)
      assert.strictEqual(Buffer.from(response.body as Uint8Array).toString(), "{\"Tab")
    }))

  it.live("a listener that never answers fails the request with a TimeoutError within the bound", () =>
    Effect.gen(function*() {
      const { seen, listener } = silent()
      const handler = makeInProcessHandler(listener, { requestTimeout: 200 })
      const { result: error, ms } = yield* elapsed(rejection(() => handler.handle(request())))
      assert.strictEqual(error.name, "TimeoutError")
      assert.strictEqual(error.code, "ETIMEDOUT")
      assert.include(error.message, "DynamoDB_20120810.GetItem")
      assert.include(error.message, "200 ms")
      // Never before the bound (how soon after it depends on the machine: the error's name says it was the timeout).
      assert.isAtLeast(ms, 190)
      assert.strictEqual(seen.length, 1)
    }))

  it.live("through the SDK, the timeout surfaces as the call's error (after the SDK's own retries)", () =>
    Effect.gen(function*() {
      const { seen, listener } = silent()
      const requestHandler = makeInProcessHandler(listener, { requestTimeout: 200 })
      const client = yield* makeDocumentClient({ ...localClientConfig("http://dynalite.invalid"), requestHandler, maxAttempts: 2 })
      const { result: error } = yield* elapsed(rejection(() => client.send(new GetItemCommand({ TableName: "t", Key: { pk: { S: "p" } } }))))
      assert.strictEqual(error.name, "TimeoutError")
      assert.strictEqual(seen.length, 2, "the SDK retries a TimeoutError")
    }).pipe(Effect.scoped))

  it.effect("with inProcessAuthSchemes the SDK sends a fixed Authorization, not a SigV4 signature; without, it signs", () =>
    Effect.gen(function*() {
      const seen: Array<IncomingMessage["headers"]> = []
      const requestHandler = makeInProcessHandler((req, res) => {
        seen.push(req.headers)
        req.on("end", () => {
          res.setHeader("Content-Type", "application/x-amz-json-1.0")
          res.end("{}")
        })
      })
      const base = { ...localClientConfig("http://dynalite.invalid"), requestHandler }
      const get = new GetItemCommand({ TableName: "t", Key: { pk: { S: "p" } } })
      const unsigned = yield* makeDocumentClient({ ...base, httpAuthSchemes: inProcessAuthSchemes })
      const reply = yield* Effect.promise(() => unsigned.send(get))
      assert.isUndefined(reply.Item)
      const signed = yield* makeDocumentClient(base)
      yield* Effect.promise(() => signed.send(get))
      const [plain, sigv4] = seen
      assert.include(plain?.authorization, "Signature=unsigned")
      assert.match(String(plain?.["x-amz-date"]), /^\d{8}T\d{6}Z$/)
      assert.match(sigv4?.authorization ?? "", /Signature=[0-9a-f]{64}$/)
    }).pipe(Effect.scoped))

  it.live("an abort while the listener works rejects at once with AbortError", () =>
    Effect.gen(function*() {
      const handler = makeInProcessHandler(silent().listener, { requestTimeout: 5_000 })
      const controller = new AbortController()
      setTimeout(() => controller.abort(), 20)
      const { result: error } = yield* elapsed(rejection(() => handler.handle(request(), { abortSignal: controller.signal })))
      // AbortError, not the 5 s TimeoutError: the abort ended it.
      assert.strictEqual(error.name, "AbortError")
      // The abandoned exchange still bounds close: it ends at the request timeout at the latest.
    }))

  it.effect("a listener that throws fails that request, not the process", () =>
    Effect.gen(function*() {
      const handler = makeInProcessHandler(() => {
        throw new Error("listener broke")
      })
      const error = yield* rejection(() => handler.handle(request()))
      assert.strictEqual(error.message, "listener broke")
    }))

  it.live("close refuses new requests and waits for those the listener is still working on", () =>
    Effect.gen(function*() {
      let answer: (() => void) | undefined
      const handler = makeInProcessHandler((req, res) => {
        req.on("end", () => {
          answer = () => res.end("{}")
        })
      })
      const pending = handler.handle(request())
      let closed = false
      const closing = handler.close().then(() => {
        closed = true
      })
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 20)))
      assert.isFalse(closed, "close waited for the request at work")
      const refused = yield* rejection(() => handler.handle(request()))
      assert.include(refused.message, "closed")
      answer!()
      const { response } = yield* Effect.promise(() => pending)
      assert.strictEqual(response.statusCode, 200)
      yield* Effect.promise(() => closing)
      assert.isTrue(closed)
    }))
})
