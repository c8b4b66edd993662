/**
 * An AWS SDK request handler that hands each request straight to an HTTP
 * request listener in this process (dynalite's), with no socket: the embedded
 * mode's metadata path otherwise pays for a loopback connection, HTTP framing
 * on both sides and the garbage they make, on every read and write.
 *
 * The request and response objects carry only what dynalite's listener
 * touches: `req.on('data'|'end'|'error')`, `req.removeAllListeners`,
 * `req.headers` (lower-case names), `req.method`, `req.url`; `res.statusCode`,
 * `res.setHeader`, `res.end`, and the `res.contentType` it stores on itself.
 * The response body is a Uint8Array (which the SDK reads as it is), not a stream.
 * Every request is bounded by a timeout, so a listener that never answers fails
 * the call (as a retryable `TimeoutError`) instead of hanging it forever.
 */
import type { DynamoDBClientConfig } from "@aws-sdk/client-dynamodb"
import { buildQueryString, type HttpHandler, type HttpHandlerOptions, type HttpRequest, HttpResponse } from "@smithy/core/protocols"
import { EventEmitter } from "node:events"
import type { IncomingMessage, ServerResponse } from "node:http"

/** What `http.createServer` is given: `dynalite().listeners("request")[0]`. */
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void

export interface InProcessHandlerConfig {
  /** Milliseconds a request may take before it fails with a `TimeoutError`; 0 disables the bound. */
  readonly requestTimeout: number
}

export const defaultRequestTimeout = 10_000

const requestBody = (body: unknown): Buffer | undefined => {
  if (body === undefined || body === null) return undefined
  if (typeof body === "string") return Buffer.from(body, "utf8")
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  throw new TypeError(`in-process handler: unsupported request body (${Object.prototype.toString.call(body)})`)
}

const lowerCaseHeaders = (headers: Record<string, string>) => {
  const lower: Record<string, string> = {}
  for (const name in headers) lower[name.toLowerCase()] = headers[name]!
  return lower
}

const target = (request: HttpRequest) => request.headers["x-amz-target"] ?? request.headers["X-Amz-Target"] ?? `${request.method} ${request.path}`

/** The names the SDK's retry strategy and callers recognise, as NodeHttpHandler sets them. */
const namedError = (name: "AbortError" | "TimeoutError", message: string) => Object.assign(new Error(message), { name })

type Signal = NonNullable<HttpHandlerOptions["abortSignal"]>

/** Calls `onAbort` once the signal fires (the SDK also accepts its older `onabort`-only signal); returns the undo. */
const whenAborted = (signal: Signal, onAbort: () => void): () => void => {
  if ("addEventListener" in signal) {
    signal.addEventListener("abort", onAbort, { once: true })
    return () => signal.removeEventListener("abort", onAbort)
  }
  signal.onabort = onAbort
  return () => {
    signal.onabort = null
  }
}

/** The response side of one exchange: collects status, headers and bytes until `end`. */
const makeResponse = (onEnd: (response: HttpResponse) => void) => {
  const headers: Record<string, string> = {}
  const chunks: Array<Buffer> = []
  const write = (chunk: unknown) => {
    if (chunk !== undefined && chunk !== null) chunks.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk as Uint8Array))
    return true
  }
  const res = {
    statusCode: 200,
    setHeader: (name: string, value: unknown) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value)
      return res
    },
    getHeader: (name: string) => headers[name.toLowerCase()],
    hasHeader: (name: string) => name.toLowerCase() in headers,
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()]
    },
    write,
    end: (chunk?: unknown) => {
      write(typeof chunk === "function" ? undefined : chunk)
      const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
      // The bytes themselves, not a stream of them: the SDK's collectBody takes a Uint8Array as it is
      // (a stream would cost a Readable, its async iteration and a copy per call). A plain view, as the
      // SDK re-prototypes the array it is given.
      const body = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      onEnd(new HttpResponse({ statusCode: res.statusCode, headers, body }))
      return res
    }
  }
  return res
}

/** The handler, plus `close` for its owner: the SDK's `destroy` is a no-op, as several clients may share one. */
export interface InProcessHandler extends HttpHandler<InProcessHandlerConfig> {
  /** Refuses new requests and resolves once every request the listener is still working on has ended or timed out. */
  readonly close: () => Promise<void>
}

/**
 * A `requestHandler` for an AWS SDK v3 client that calls `listener` directly.
 * The client still needs an `endpoint` (any URL; it is never contacted).
 */
export const makeInProcessHandler = (listener: RequestListener, options: Partial<InProcessHandlerConfig> = {}): InProcessHandler => {
  let config: InProcessHandlerConfig = { requestTimeout: options.requestTimeout ?? defaultRequestTimeout }
  let closed = false
  // Exchanges the listener has not finished (answered or timed out): close waits for them,
  // so the store is not closed under a request still at work (even one whose caller gave up).
  let working = 0
  let drained: Array<() => void> = []
  const exchangeEnded = () => {
    working--
    if (working > 0) return
    const waiters = drained
    drained = []
    for (const wake of waiters) wake()
  }

  const handle = (request: HttpRequest, handlerOptions: HttpHandlerOptions = {}) =>
    new Promise<{ response: HttpResponse }>((resolve, reject) => {
      const signal = handlerOptions.abortSignal
      if (closed) return reject(new Error("in-process handler: closed (the store is shutting down)"))
      if (signal?.aborted === true) return reject(namedError("AbortError", "Request aborted"))
      // A synchronous throw from here on (a bad body, a listener that throws) rejects the promise.
      const body = requestBody(request.body)

      // Exactly one outcome per request; a late answer after a timeout or abort is dropped.
      let settled = false
      let stopWatching = () => {}
      const settle = (outcome: () => void) => {
        if (settled) return
        settled = true
        stopWatching()
        outcome()
      }
      // "sync" while the listener runs in this call; "working" once it answers later; "ended" after.
      let exchange = "sync" as "sync" | "working" | "ended"
      let timer: ReturnType<typeof setTimeout> | undefined
      const end = () => {
        if (exchange === "working") {
          clearTimeout(timer)
          exchangeEnded()
        }
        exchange = "ended"
      }

      const query = buildQueryString(request.query ?? {})
      const req = Object.assign(new EventEmitter(), {
        method: request.method,
        url: query === "" ? request.path : `${request.path}?${query}`,
        headers: lowerCaseHeaders(request.headers)
      })
      const res = makeResponse((response) => {
        end()
        settle(() => resolve({ response }))
      })
      listener(req as unknown as IncomingMessage, res as unknown as ServerResponse)
      if (body !== undefined && body.length > 0) req.emit("data", body)
      req.emit("end")
      if (exchange === "ended") return

      exchange = "working"
      working++
      const timeout = handlerOptions.requestTimeout ?? config.requestTimeout
      if (timeout > 0) {
        timer = setTimeout(() => {
          end()
          settle(() =>
            reject(Object.assign(
              namedError("TimeoutError", `in-process handler: no answer to ${target(request)} within ${timeout} ms`),
              { code: "ETIMEDOUT" }
            ))
          )
        }, timeout)
      }
      if (signal !== undefined) {
        stopWatching = whenAborted(signal, () => settle(() => reject(namedError("AbortError", "Request aborted"))))
      }
    })

  return {
    metadata: { handlerProtocol: "in-process" },
    handle,
    updateHttpClientConfig: (key, value) => {
      config = { ...config, [key]: value }
    },
    httpHandlerConfigs: () => config,
    destroy: () => {},
    close: () => {
      closed = true
      return working === 0 ? Promise.resolve() : new Promise<void>((resolve) => drained.push(resolve))
    }
  }
}

type AuthSchemes = NonNullable<DynamoDBClientConfig["httpAuthSchemes"]>

/**
 * The Authorization the in-process endpoint is sent in place of a SigV4 signature: dynalite
 * checks only that the header names `AWS4-…` with Credential, Signature and SignedHeaders,
 * and that an X-Amz-Date (or Date) header exists; it never verifies a signature.
 */
const unsignedAuthorization = "AWS4-HMAC-SHA256 Credential=local/19700101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=unsigned"

/**
 * `httpAuthSchemes` for a DynamoDB client whose `requestHandler` is an in-process handler
 * (and only for one: a real endpoint would refuse every request): SigV4 with a signer that
 * sets fixed Authorization and X-Amz-Date headers instead of hashing the body and computing an
 * HMAC chain per request (CPU and garbage on every metadata call of the embedded mode). The
 * identity is still resolved from the client's `credentials`, as the scheme requires one.
 */
export const inProcessAuthSchemes: AuthSchemes = [{
  schemeId: "aws.auth#sigv4",
  identityProvider: (config) => config.getIdentityProvider("aws.auth#sigv4"),
  signer: {
    sign: (request) => {
      request.headers["authorization"] = unsignedAuthorization
      request.headers["x-amz-date"] = "19700101T000000Z"
      return Promise.resolve(request)
    }
  }
}]
