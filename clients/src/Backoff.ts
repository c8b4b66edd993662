/**
 * Capped exponential backoff with jitter, and a sleep that an AbortSignal
 * cuts short (rejecting with the signal's reason, as fetch does).
 */

/** How the client retries transient failures (network errors, 5xx, 429). */
export interface RetryOptions {
  /** Attempts in all, the first included (default 4; 1 disables retries). */
  readonly attempts?: number
  /** Delay before the 2nd attempt, in milliseconds (default 250); doubles each time. */
  readonly baseDelayMs?: number
  /** Upper bound of one delay, in milliseconds (default 5000). */
  readonly maxDelayMs?: number
}

export interface ResolvedRetry {
  readonly attempts: number
  readonly baseDelayMs: number
  readonly maxDelayMs: number
}

export const resolveRetry = (options: RetryOptions | undefined): ResolvedRetry => ({
  attempts: Math.max(1, Math.floor(options?.attempts ?? 4)),
  baseDelayMs: Math.max(0, options?.baseDelayMs ?? 250),
  maxDelayMs: Math.max(0, options?.maxDelayMs ?? 5000)
})

/** Delay after failed attempt `n` (0-based): half fixed, half random, so clients that failed together do not retry together. */
export const backoffDelay = (retry: Pick<ResolvedRetry, "baseDelayMs" | "maxDelayMs">, n: number): number => {
  const capped = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** Math.min(n, 30))
  return capped / 2 + Math.random() * (capped / 2)
}

/** Throws the signal's reason when it is aborted. */
export const throwIfAborted = (signal: AbortSignal | undefined): void => {
  if (signal?.aborted === true) throw signal.reason
}

/** Resolves after `ms`, or rejects with `signal.reason` as soon as it aborts. */
export const sleep = (ms: number, signal: AbortSignal | undefined): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted === true) return reject(signal.reason)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort)
      resolve()
    }, ms)
    signal?.addEventListener("abort", onAbort, { once: true })
  })
