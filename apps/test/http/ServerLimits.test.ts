/**
 * The Node server's own limits (ServerLimits.ts): a connection cap, a headers
 * timeout that also closes sockets that never send a byte, and the settings
 * read from the environment.
 */
import { assert, describe, it, layer } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import { connect, type Socket } from "node:net"
import { defaultServerLimits, layerFromEnv, ServerLimits, type ServerLimitsShape } from "../../src/http/ServerLimits.ts"
import { call, layerTestServer, TestServer } from "./support.ts"

const limits: ServerLimitsShape = {
  maxConnections: 50,
  headersTimeoutMs: 1_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 1_000,
  idleTimeoutMs: 10_000
}

interface IdleSocket {
  /** Resolves once the server closed it, with what it sent first. */
  readonly closed: Promise<string>
}

/** Connects and sends nothing; resolves once connected. */
const idleSocket = (port: number) =>
  Effect.callback<IdleSocket>((resume) => {
    const socket: Socket = connect({ host: "127.0.0.1", port })
    let received = ""
    socket.on("data", (chunk) => { received += chunk.toString("latin1") })
    socket.on("error", () => {})
    const closed = new Promise<string>((resolve) => socket.once("close", () => resolve(received)))
    socket.once("connect", () => resume(Effect.succeed({ closed })))
    // Refused at connect: treat as closed with nothing sent.
    socket.once("close", () => resume(Effect.succeed({ closed })))
    return Effect.sync(() => socket.destroy())
  })

layer(layerTestServer({ overrides: Layer.succeed(ServerLimits, limits) }))("server limits", (it) => {
  it.effect("closes connections over the cap at once, idle ones after the headers timeout; then /healthz answers", () =>
    Effect.gen(function*() {
      const { url } = yield* TestServer
      const port = Number(new URL(url).port)
      const sockets: Array<IdleSocket> = []
      for (let i = 0; i < 80; i++) sockets.push(yield* idleSocket(port))
      // Bounded: with Node's defaults (no cap, 60 s headers timeout checked every 30 s) this wait fails.
      // (A wall-clock bound: the test clock of `layer` does not move.)
      const firsts = yield* Effect.promise(() =>
        Promise.race([
          Promise.all(sockets.map((s) => s.closed)),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error("idle sockets were kept open")), 20_000).unref())
        ])
      )
      const dropped = firsts.filter((first) => first === "")
      const timedOut = firsts.filter((first) => first.startsWith("HTTP/1.1 408 "))
      assert.strictEqual(dropped.length, 30, "connections over the cap are closed without an answer")
      assert.strictEqual(timedOut.length, 50, "the others get 408 once the headers timeout ran out")
      for (const answer of timedOut) {
        const body = JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4))
        assert.strictEqual(body.error_code, "INVALID_REQUEST")
        assert.include(answer.toLowerCase(), `x-request-id: ${body.request_id}`.toLowerCase())
      }
      const health = yield* call("/healthz")
      assert.strictEqual(health.status, 200)
    }))
})

describe("ServerLimits.layerFromEnv", () => {
  const read = (env: Record<string, string>) =>
    Effect.gen(function*() { return yield* ServerLimits }).pipe(
      Effect.provide(layerFromEnv.pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))))
    )

  it.effect("defaults, seconds to milliseconds, and refusals", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* read({}), defaultServerLimits)
      assert.deepStrictEqual(
        yield* read({
          MEDIA_HTTP_MAX_CONNECTIONS: "7",
          MEDIA_HTTP_HEADERS_TIMEOUT_SECONDS: "0.5",
          MEDIA_HTTP_REQUEST_TIMEOUT_SECONDS: "120",
          MEDIA_HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: "65",
          MEDIA_HTTP_IDLE_TIMEOUT_SECONDS: "30"
        }),
        { maxConnections: 7, headersTimeoutMs: 500, requestTimeoutMs: 120_000, keepAliveTimeoutMs: 65_000, idleTimeoutMs: 30_000 }
      )
      for (
        const env of [
          { MEDIA_HTTP_MAX_CONNECTIONS: "0" },
          { MEDIA_HTTP_IDLE_TIMEOUT_SECONDS: "-1" },
          { MEDIA_HTTP_HEADERS_TIMEOUT_SECONDS: "abc" },
          { MEDIA_HTTP_HEADERS_TIMEOUT_SECONDS: "60", MEDIA_HTTP_REQUEST_TIMEOUT_SECONDS: "30" }
        ]
      ) {
        const exit = yield* Effect.exit(read(env))
        assert.strictEqual(exit._tag, "Failure", JSON.stringify(env))
      }
    }))
})
