/**
 * One bounded autocannon run, reduced to the figures the docs report.
 * autocannon runs in the calling process, so the server under test should be
 * another process (or accept sharing the event loop, as the CI load test does).
 */
import autocannon from "autocannon"

export interface LoadFigures {
  readonly requestsPerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly total: number
  readonly non2xx: number
  readonly serverErrors: number
  readonly errors: number
  readonly timeouts: number
}

export interface LoadOptions {
  readonly url: string
  readonly headers?: Readonly<Record<string, string>>
  readonly connections: number
  /** Seconds; autocannon stops by itself after it. */
  readonly duration: number
  /** Requests per second over all connections at most (autocannon's `overallRate`); as fast as possible if absent. */
  readonly rate?: number | undefined
}

export const runLoad = async (options: LoadOptions): Promise<LoadFigures> => {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.duration,
    timeout: 10,
    ...(options.headers === undefined ? {} : { headers: options.headers }),
    ...(options.rate === undefined ? {} : { overallRate: options.rate })
  })
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    serverErrors: result["5xx"],
    errors: result.errors,
    timeouts: result.timeouts
  }
}

export const describeLoad = (name: string, f: LoadFigures): string =>
  `${name.padEnd(34)} ${String(f.requestsPerSecond).padStart(7)} req/s  p50 ${String(f.p50Ms).padStart(4)} ms  p99 ${String(f.p99Ms).padStart(4)} ms  ` +
  `(${f.total} requests, ${f.non2xx} non-2xx, ${f.serverErrors} 5xx, ${f.errors} errors)`
