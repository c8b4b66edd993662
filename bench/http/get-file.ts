/**
 * GET /v1/media/{id} of a ready file, server CPU per request: our server
 * (bench/http/api-server.ts, in its variants) against Fastify 5 doing the same
 * GET (bench/http/fastify-server.ts) and a bare node:http server returning our
 * JSON bytes, same machine, same run, loopback, Basic auth. Each server is a
 * child process; autocannon runs here. Rounds interleave the variants, so
 * background load hits them alike; ratios are against the same round's bare
 * and Fastify servers. Prints one `GOAL` line: our CPU per request over
 * Fastify's (median of the rounds' ratios), goal <= 1.5x (issue 13).
 *
 * Every server gets the same offered load, BENCH_RATE requests per second (default 2000; `max` for
 * as fast as each can): CPU per request depends on how many requests each wake-up of the event
 * loop finds, so servers compared at different rates (on a shared machine, whatever load each
 * round met) are not compared at equal work.
 *
 * Env: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, 3), BENCH_CONNECTIONS (10), BENCH_RATE (2000),
 * BENCH_ROUNDS (3), BENCH_VARIANTS (comma list of names or `all`; default bare,
 * Fastify and ours; `httpapi`, `log`, `memory`, `floor` add those rows),
 * BENCH_PROFILE=<variant> (one run of that variant under --cpu-prof, then its top frames).
 * Run: `node bench/http/get-file.ts`.
 */
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Child, startChild } from "./child.ts"
import { summarize } from "./cpuprofile-top.ts"
import { cpuSeconds } from "./cpuTime.ts"
import { describeLoad, type LoadFigures, runLoad } from "./loadRun.ts"

interface Variant {
  readonly name: string
  /** What BENCH_VARIANTS names it by, besides its name. */
  readonly tag: string
  readonly script: "api-server.ts" | "bare-server.ts" | "fastify-server.ts" | "floor-server.ts"
  readonly env: Readonly<Record<string, string>>
}

const here = import.meta.dirname
const duration = Number(process.env.BENCH_DURATION ?? 10)
const warmup = Number(process.env.BENCH_WARMUP ?? 3)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10)
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const rate = process.env.BENCH_RATE === "max" ? undefined : Number(process.env.BENCH_RATE ?? 2000)
const work = mkdtempSync(join(tmpdir(), "bench-get-file-"))
const bodyFile = join(work, "body.json")

const bare = "bare node:http"
const fastify = "Fastify 5"
const ours = "ours (lean GET route)"
const all: ReadonlyArray<Variant> = [
  { name: bare, tag: "bare", script: "bare-server.ts", env: { BENCH_BODY_FILE: bodyFile } },
  { name: fastify, tag: "fastify", script: "fastify-server.ts", env: {} },
  { name: ours, tag: "ours", script: "api-server.ts", env: {} },
  { name: "ours, HttpApi route only", tag: "httpapi", script: "api-server.ts", env: { BENCH_FAST: "off" } },
  { name: "ours, access log on", tag: "log", script: "api-server.ts", env: { BENCH_LOG: "on" } },
  { name: "ours, memory signer (no RSA)", tag: "memory", script: "api-server.ts", env: { BENCH_SIGNER: "memory" } },
  { name: "floor: Effect router", tag: "floor", script: "floor-server.ts", env: { BENCH_BODY_FILE: bodyFile, BENCH_FLOOR: "router" } },
  {
    name: "floor: router + our middleware",
    tag: "floor",
    script: "floor-server.ts",
    env: { BENCH_BODY_FILE: bodyFile, BENCH_FLOOR: "router+middleware" }
  }
]
const selected = process.env.BENCH_VARIANTS?.split(",").map((s) => s.trim())
// Bare, Fastify and ours always run: the ratios and the GOAL line need them.
const variants = all.filter((v) =>
  [bare, fastify, ours].includes(v.name) || selected?.includes("all") === true || selected?.includes(v.name) === true ||
  selected?.includes(v.tag) === true
)

interface ApiReady {
  readonly port: number
  readonly fileId: string
  readonly authorization: string
}

/** The path and headers to load a server with; the bare server ignores them. */
const target = (ready: ApiReady) => ({ path: `/v1/media/${ready.fileId}`, headers: { authorization: ready.authorization } })

// One request first: the bare server replays these bytes, and a ready file must come with signed URLs.
const capture = async () => {
  const api = await startChild<ApiReady>(join(here, "api-server.ts"))
  const { path, headers } = target(api.message)
  const response = await fetch(`http://127.0.0.1:${api.message.port}${path}`, { headers })
  const body = await response.text()
  await api.stop()
  if (response.status !== 200 || !body.includes("download_url")) throw new Error(`unexpected reply ${response.status}: ${body}`)
  writeFileSync(bodyFile, body)
  // Fastify must do the same job: the same fields in the same order, the same values but for the id and URLs
  // (its own) and the expiry (the same rule; a run may straddle a minute).
  const contender = await startChild<ApiReady>(join(here, "fastify-server.ts"))
  const other = await fetch(`http://127.0.0.1:${contender.message.port}${target(contender.message).path}`, { headers: target(contender.message).headers })
  const otherBody = await other.text()
  await contender.stop()
  const comparable = (json: string) =>
    JSON.stringify(JSON.parse(json), (key, value) => (key === "file_id" || key.endsWith("_url") || key.endsWith("_expires_at") ? typeof value : value))
  if (other.status !== 200 || comparable(otherBody) !== comparable(body)) throw new Error(`Fastify answers differently: ${otherBody}`)
  return body.length
}

interface Measured {
  readonly figures: LoadFigures
  /** Server CPU time (user + system) per request served, in microseconds. */
  readonly cpuMicrosPerRequest: number
}

const measure = async (variant: Variant, execArgv: ReadonlyArray<string> = []): Promise<Measured> => {
  const child: Child<ApiReady> = await startChild(join(here, variant.script), { env: variant.env, execArgv })
  try {
    const { path, headers } = child.message.fileId === undefined
      ? { path: "/v1/media/00000000-0000-4000-8000-000000000000", headers: {} }
      : target(child.message)
    const url = `http://127.0.0.1:${child.message.port}${path}`
    if (warmup > 0) await runLoad({ url, headers, connections, duration: warmup, rate })
    const pid = child.process.pid!
    const before = cpuSeconds(pid)
    const figures = await runLoad({ url, headers, connections, duration, rate })
    return { figures, cpuMicrosPerRequest: Math.round(((cpuSeconds(pid) - before) * 1e6) / Math.max(1, figures.total)) }
  } finally {
    await child.stop()
  }
}

const main = async () => {
  const bytes = await capture()
  console.log(
    `GET /v1/media/{id} of a ready file, ${bytes}-byte JSON body, ${connections} connections, ` +
      `${rate === undefined ? "as fast as each server goes" : `${rate} requests/s offered`}, ${warmup} s warm-up + ${duration} s\n`
  )
  const profiled = process.env.BENCH_PROFILE
  if (profiled !== undefined) {
    const variant = all.find((v) => v.name === profiled) ?? all.find((v) => v.tag === profiled)
    if (variant === undefined) throw new Error(`no variant ${profiled}`)
    const dir = join(work, "profile")
    console.log(describeLoad(`${variant.name} (profiled)`, (await measure(variant, ["--cpu-prof", `--cpu-prof-dir=${dir}`])).figures))
    const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"))
    if (file === undefined) throw new Error("no profile written")
    console.log(summarize(join(dir, file), ["getSignedUrl", "makeSpanUnsafe", "writev"]))
    return
  }
  const results = new Map<string, Array<string>>()
  const goalRatios: Array<number> = []
  for (let round = 1; round <= rounds; round++) {
    console.log(`round ${round}`)
    const cpu = new Map<string, number>()
    for (const variant of variants) {
      const measured = await measure(variant)
      if (measured.figures.non2xx > 0 || measured.figures.errors > 0) throw new Error(`${variant.name}: not every answer was a 200`)
      cpu.set(variant.name, measured.cpuMicrosPerRequest)
      const vs = (name: string) => {
        const other = cpu.get(name)
        return other === undefined || name === variant.name ? "" : `  ${(measured.cpuMicrosPerRequest / other).toFixed(2)}x ${name}`
      }
      console.log(`  ${describeLoad(variant.name, measured.figures)}`)
      console.log(`  ${"".padEnd(34)} server CPU ${measured.cpuMicrosPerRequest} µs/request${vs(bare)}${vs(fastify)}`)
      results.set(variant.name, [...(results.get(variant.name) ?? []), `${measured.cpuMicrosPerRequest} µs (${measured.figures.requestsPerSecond} req/s)`])
    }
    goalRatios.push(cpu.get(ours)! / cpu.get(fastify)!)
  }
  console.log("\nserver CPU per request, per round:")
  for (const [name, values] of results) console.log(`  ${name.padEnd(34)} ${values.join("  |  ")}`)
  const sorted = [...goalRatios].sort((a, b) => a - b)
  const median = sorted[Math.floor(sorted.length / 2)]!
  console.log(`\nours / Fastify by CPU per round: ${goalRatios.map((r) => r.toFixed(2)).join(", ")}; median ${median.toFixed(2)}`)
  console.log(`GOAL GET /v1/media/{id} CPU vs Fastify | ${median.toFixed(2)}x | <= 1.5x | ${median <= 1.5 ? "met" : "missed"}`)
}

await main()
