/**
 * One HTTP call of the client, with credentials, JSON, typed errors and the
 * retry policy: transient failures (network, 5xx, 429) are tried again with
 * capped exponential backoff; everything else is final.
 */
import { backoffDelay, type ResolvedRetry, sleep, throwIfAborted } from "./Backoff.ts"
import type { MediaAuth } from "./ClientOptions.ts"
import { fromApiResponse, MediaError, networkError } from "./MediaError.ts"

export interface ApiCall {
  readonly method: "GET" | "POST" | "DELETE"
  /** Path under the API's origin, e.g. `/v1/media/search`. */
  readonly path: string
  readonly query?: Readonly<Record<string, string | number | undefined>>
  /** Sent as JSON. */
  readonly body?: unknown
  readonly signal?: AbortSignal | undefined
  /** DELETE: a 404 after a failed attempt means the earlier attempt did delete. */
  readonly notFoundAfterRetryIsSuccess?: boolean
}

const base64 = (text: string) => btoa(Array.from(new TextEncoder().encode(text), (b) => String.fromCharCode(b)).join(""))

/** The `Authorization` header value of `auth` (SPEC §5): `Basic base64(api_id:password)` or `Bearer <token>`. */
export const authorizationHeader = (auth: MediaAuth): string =>
  "token" in auth ? `Bearer ${auth.token}` : `Basic ${base64(`${auth.apiId}:${auth.password}`)}`

export class ApiCaller {
  readonly baseUrl: string
  readonly retry: ResolvedRetry
  readonly #authorization: string
  readonly #fetch: typeof fetch

  constructor(baseUrl: string, authorization: string, retry: ResolvedRetry, fetchImpl: typeof fetch) {
    this.baseUrl = baseUrl
    this.retry = retry
    this.#authorization = authorization
    this.#fetch = fetchImpl
  }

  /** `fetch` whose failures are `NETWORK_ERROR`s, or the signal's reason once aborted. */
  send(url: string, init: { method: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal | undefined }) {
    return this.#fetch(url, { ...init, signal: init.signal ?? null }).catch((cause: unknown) => {
      if (init.signal?.aborted === true) throw init.signal.reason
      throw networkError(cause)
    })
  }

  /** Runs `attempt` until it succeeds, fails for good, or the retries are used up; waits with backoff between tries. */
  async withRetry<A>(signal: AbortSignal | undefined, attempt: (n: number) => Promise<A>): Promise<A> {
    for (let n = 0;; n++) {
      throwIfAborted(signal)
      try {
        return await attempt(n)
      } catch (error) {
        if (signal?.aborted === true) throw signal.reason
        if (!(error instanceof MediaError) || !error.retryable || n + 1 >= this.retry.attempts) throw error
      }
      await sleep(backoffDelay(this.retry, n), signal)
    }
  }

  /** One API call: the parsed JSON answer (undefined for 204), or the API's error as a `MediaError`. */
  json<A>(call: ApiCall): Promise<A> {
    const url = new URL(`${this.baseUrl}${call.path}`)
    for (const [name, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value))
    }
    const headers: Record<string, string> = { authorization: this.#authorization, accept: "application/json" }
    if (call.body !== undefined) headers["content-type"] = "application/json"
    return this.withRetry(call.signal, async (n) => {
      const response = await this.send(url.href, {
        method: call.method,
        headers,
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
        signal: call.signal
      })
      if (response.ok) {
        if (response.status === 204) return undefined as A
        return await response.json().catch((cause: unknown) => {
          throw new MediaError({ status: response.status, errorCode: "UNEXPECTED_RESPONSE", message: "the API answered with invalid JSON", cause })
        }) as A
      }
      const error = await fromApiResponse(response)
      if (call.notFoundAfterRetryIsSuccess === true && n > 0 && error.errorCode === "FILE_NOT_FOUND") return undefined as A
      throw error
    })
  }
}
