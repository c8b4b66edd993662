// The part of autocannon 8's programmatic API the benchmarks use (it ships no types).
declare module "autocannon" {
  interface Histogram {
    readonly average: number
    readonly mean: number
    readonly stddev: number
    readonly min: number
    readonly max: number
    readonly total: number
    readonly p50: number
    readonly p90: number
    readonly p99: number
  }
  interface Result {
    readonly requests: Histogram
    readonly latency: Histogram
    readonly throughput: Histogram
    readonly errors: number
    readonly timeouts: number
    readonly non2xx: number
    readonly "2xx": number
    readonly "4xx": number
    readonly "5xx": number
    readonly duration: number
    readonly statusCodeStats: Readonly<Record<string, { readonly count: number }>>
  }
  interface Options {
    readonly url: string
    readonly connections?: number
    readonly duration?: number
    readonly amount?: number
    readonly pipelining?: number
    readonly overallRate?: number
    readonly timeout?: number
    readonly method?: string
    readonly headers?: Readonly<Record<string, string>>
    readonly requests?: ReadonlyArray<{ readonly method?: string; readonly path?: string; readonly headers?: Readonly<Record<string, string>> }>
  }
  function autocannon(options: Options): Promise<Result>
  export default autocannon
}
