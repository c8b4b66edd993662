/**
 * Limits of the Node HTTP server itself: how many connections it holds and
 * how long a connection may sit without progress. A reference with defaults,
 * so tests need not provide it; the app reads it from the environment with
 * `layerFromEnv` when its layers are built.
 */
import { Config, Context, Effect, Layer } from "effect"

export interface ServerLimitsShape {
  /** Open connections at most; further ones are closed as they arrive. */
  readonly maxConnections: number
  /** Time to receive a request's headers, from the connection or the end of the previous request. */
  readonly headersTimeoutMs: number
  /** Time to receive a whole request, body included. */
  readonly requestTimeoutMs: number
  /** How long an idle keep-alive connection is kept between requests. */
  readonly keepAliveTimeoutMs: number
  /** A connection on which nothing is read or written for this long is closed (a client that stopped reading). */
  readonly idleTimeoutMs: number
}

/**
 * - 1024 connections: each streaming download may hold a second descriptor (its file); Node raises the soft
 *   descriptor limit to the hard one at start, which is far above 2 × 1024 on common systems.
 * - 10 s for headers: a real client sends them at once; idle and slowloris sockets go quickly.
 * - 15 min for a whole request: the upload endpoint takes up to 25 MiB from phones on slow links (25 MiB in
 *   15 min is ~230 kbit/s), and the upload URL itself is valid 15 min. Stalled transfers are the idle
 *   timeout's job, not this one's.
 * - 5 s keep-alive: Node's default.
 * - 60 s idle: forgiving of a phone in a tunnel, short enough that sockets of clients that never read
 *   (or never send) do not pile up.
 */
export const defaultServerLimits: ServerLimitsShape = {
  maxConnections: 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15 * 60_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 60_000
}

/** The limits `serve` (HttpApp.ts) sets on Node's server; `defaultServerLimits` unless provided. */
export const ServerLimits = Context.Reference<ServerLimitsShape>("apps/http/ServerLimits", {
  defaultValue: () => defaultServerLimits
})

const positiveInt = (name: string, fallback: number) =>
  Effect.gen(function*() {
    const n = yield* Config.Int(name).pipe(Config.withDefault(fallback))
    if (n <= 0) return yield* Effect.fail(new Error(`${name} must be a positive integer`))
    return n
  })

/** Seconds (fractions allowed), as milliseconds. */
const positiveSeconds = (name: string, fallbackMs: number) =>
  Effect.gen(function*() {
    const seconds = yield* Config.Number(name).pipe(Config.withDefault(fallbackMs / 1000))
    if (!(Number.isFinite(seconds) && seconds > 0)) {
      return yield* Effect.fail(new Error(`${name} must be a positive number of seconds`))
    }
    return Math.ceil(seconds * 1000)
  })

/**
 * `MEDIA_HTTP_MAX_CONNECTIONS`, `MEDIA_HTTP_HEADERS_TIMEOUT_SECONDS`, `MEDIA_HTTP_REQUEST_TIMEOUT_SECONDS`,
 * `MEDIA_HTTP_KEEP_ALIVE_TIMEOUT_SECONDS`, `MEDIA_HTTP_IDLE_TIMEOUT_SECONDS`; defaults in `defaultServerLimits`.
 */
export const layerFromEnv = Layer.effect(
  ServerLimits,
  Effect.gen(function*() {
    const limits: ServerLimitsShape = {
      maxConnections: yield* positiveInt("MEDIA_HTTP_MAX_CONNECTIONS", defaultServerLimits.maxConnections),
      headersTimeoutMs: yield* positiveSeconds("MEDIA_HTTP_HEADERS_TIMEOUT_SECONDS", defaultServerLimits.headersTimeoutMs),
      requestTimeoutMs: yield* positiveSeconds("MEDIA_HTTP_REQUEST_TIMEOUT_SECONDS", defaultServerLimits.requestTimeoutMs),
      keepAliveTimeoutMs: yield* positiveSeconds(
        "MEDIA_HTTP_KEEP_ALIVE_TIMEOUT_SECONDS",
        defaultServerLimits.keepAliveTimeoutMs
      ),
      idleTimeoutMs: yield* positiveSeconds("MEDIA_HTTP_IDLE_TIMEOUT_SECONDS", defaultServerLimits.idleTimeoutMs)
    }
    // Node refuses a headers timeout above the request timeout.
    if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
      return yield* Effect.fail(
        new Error("MEDIA_HTTP_HEADERS_TIMEOUT_SECONDS must not exceed MEDIA_HTTP_REQUEST_TIMEOUT_SECONDS")
      )
    }
    return limits
  })
)
