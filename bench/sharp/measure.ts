/**
 * Timing on a shared machine: contenders take turns in small batches (order
 * rotating each round) so load from other processes hits all alike, and the
 * figures are totals over all rounds. CPU time is the load-robust figure:
 * this process's own plus that of waited-for children (ImageMagick).
 */
import { readFileSync } from "node:fs"
import type { Contender } from "./contenders.ts"

export interface Throughput {
  readonly imagesPerSecond: number
  readonly cpuMsPerImage: number
}

// Linux clock ticks are 100 Hz on every common kernel; /proc/self/stat fields 16-17 are children's utime/stime.
const childrenCpuMs = () => {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ")
  return (Number(fields[13]) + Number(fields[14])) * 10
}
const cpuMs = () => {
  const own = process.cpuUsage()
  return (own.user + own.system) / 1000 + childrenCpuMs()
}

const batch = async (run: Contender, bytes: Buffer, count: number, parallel: number) => {
  let started = 0
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (started < count) {
      started++
      await run(bytes)
    }
  }))
}

export const interleaved = async (
  contenders: Readonly<Record<string, Contender>>,
  bytes: Buffer,
  options: { readonly rounds: number; readonly batch: number; readonly parallel: number }
): Promise<Record<string, Throughput>> => {
  const names = Object.keys(contenders)
  const totals = Object.fromEntries(names.map((n) => [n, { ms: 0, cpu: 0, images: 0 }]))
  for (const name of names) await contenders[name]!(bytes) // warm-up
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length]!
      const t0 = performance.now()
      const c0 = cpuMs()
      await batch(contenders[name]!, bytes, options.batch, options.parallel)
      const total = totals[name]!
      total.ms += performance.now() - t0
      total.cpu += cpuMs() - c0
      total.images += options.batch
    }
  }
  return Object.fromEntries(names.map((n) => {
    const t = totals[n]!
    return [n, { imagesPerSecond: t.images / (t.ms / 1000), cpuMsPerImage: t.cpu / t.images }]
  }))
}

export interface Latency {
  readonly medianMs: number
  readonly p10Ms: number
  readonly p90Ms: number
}

/**
 * Per-image latency of two contenders alternating image by image (ABBA…), one at
 * a time: the fairest comparison under fluctuating load, read as medians.
 */
export const paired = async (
  a: readonly [string, Contender],
  b: readonly [string, Contender],
  bytes: Buffer,
  pairs: number
): Promise<Record<string, Latency>> => {
  const samples: Record<string, Array<number>> = { [a[0]]: [], [b[0]]: [] }
  await a[1](bytes)
  await b[1](bytes)
  for (let i = 0; i < pairs; i++) {
    for (const [name, run] of i % 2 ? [a, b] : [b, a]) {
      const t0 = performance.now()
      await run(bytes)
      samples[name]!.push(performance.now() - t0)
    }
  }
  const at = (xs: Array<number>, q: number) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))]!
  return Object.fromEntries(Object.entries(samples).map(([name, xs]) => {
    xs.sort((x, y) => x - y)
    return [name, { medianMs: at(xs, 0.5), p10Ms: at(xs, 0.1), p90Ms: at(xs, 0.9) }]
  }))
}
