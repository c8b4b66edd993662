/**
 * GET /v1/media/{id} throughput: our HttpApi server (bench/http/api-server.ts,
 * in its variants) against a bare node:http server returning the same JSON
 * bytes, same machine, same run, loopback. Each server is a child process;
 * autocannon runs here. Rounds interleave the variants, so background load
 * hits them alike; every ratio is against the bare server of the same round.
 *
 * Env: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, 3), BENCH_CONNECTIONS (10),
 * BENCH_ROUNDS (2), BENCH_VARIANTS (comma list, default all),
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
  readonly script: "api-server.ts" | "bare-server.ts" | "floor-server.ts"
  readonly env: Readonly<Record<string, string>>
}

const here = import.meta.dirname
const duration = Number(process.env.BENCH_DURATION ?? 10)
const warmup = Number(process.env.BENCH_WARMUP ?? 3)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10)
const rounds = Number(process.env.BENCH_ROUNDS ?? 2)
const work = mkdtempSync(join(tmpdir(), "bench-get-file-"))
const bodyFile = join(work, "body.json")

const all: ReadonlyArray<Variant> = [
  { name: "bare node:http", script: "bare-server.ts", env: { BENCH_BODY_FILE: bodyFile } },
  { name: "api, CloudFront signer", script: "api-server.ts", env: { BENCH_SIGNER: "cloudfront" } },
  { name: "api, CloudFront signer, access log", script: "api-server.ts", env: { BENCH_SIGNER: "cloudfront", BENCH_LOG: "on" } },
  { name: "api, signer with parsed key", script: "api-server.ts", env: { BENCH_SIGNER: "keyobject" } },
  { name: "api, memory signer (no RSA)", script: "api-server.ts", env: { BENCH_SIGNER: "memory" } },
  { name: "api, memory signer, no spans", script: "api-server.ts", env: { BENCH_SIGNER: "memory", BENCH_TRACER: "off" } },
  { name: "floor: Effect router", script: "floor-server.ts", env: { BENCH_BODY_FILE: bodyFile, BENCH_FLOOR: "router" } },
  {
    name: "floor: router + our middleware",
    script: "floor-server.ts",
    env: { BENCH_BODY_FILE: bodyFile, BENCH_FLOOR: "router+middleware" }
  }
]
const selected = process.env.BENCH_VARIANTS?.split(",").map((s) => s.trim())
// By name, or by signer kind (`bare`, `cloudfront`, `keyobject`, `memory`) or `floor`; the bare server always runs, for the ratios.
const variants = selected === undefined
  ? all
  : all.filter((v) => v.script === "bare-server.ts" || selected.includes(v.name) || selected.includes(v.env.BENCH_SIGNER ?? "bare") ||
    (v.script === "floor-server.ts" && selected.includes("floor")))

interface ApiReady {
  readonly port: number
  readonly fileId: string
  readonly token: string
}

/** The path and headers to load a server with; the bare server ignores them. */
const target = (ready: ApiReady) => ({ path: `/v1/media/${ready.fileId}`, headers: { authorization: `Bearer ${ready.token}` } })

// One request first: the bare server replays these bytes, and a ready file must come with signed URLs.
const capture = async () => {
  const api = await startChild<ApiReady>(join(here, "api-server.ts"))
  const { path, headers } = target(api.message)
  const response = await fetch(`http://127.0.0.1:${api.message.port}${path}`, { headers })
  const body = await response.text()
  await api.stop()
  if (response.status !== 200 || !body.includes("download_url")) throw new Error(`unexpected reply ${response.status}: ${body}`)
  writeFileSync(bodyFile, body)
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
    if (warmup > 0) await runLoad({ url, headers, connections, duration: warmup })
    const pid = child.process.pid!
    const before = cpuSeconds(pid)
    const figures = await runLoad({ url, headers, connections, duration })
    return { figures, cpuMicrosPerRequest: Math.round(((cpuSeconds(pid) - before) * 1e6) / Math.max(1, figures.total)) }
  } finally {
    await child.stop()
  }
}

const main = async () => {
  const bytes = await capture()
  console.log(`GET /v1/media/{id} of a ready file, ${bytes}-byte JSON body, ${connections} connections, ${warmup} s warm-up + ${duration} s\n`)
  const profiled = process.env.BENCH_PROFILE
  if (profiled !== undefined) {
    const variant = all.find((v) => v.name === profiled) ?? all.find((v) => v.env.BENCH_SIGNER === profiled)
    if (variant === undefined) throw new Error(`no variant ${profiled}`)
    const dir = join(work, "profile")
    console.log(describeLoad(`${variant.name} (profiled)`, (await measure(variant, ["--cpu-prof", `--cpu-prof-dir=${dir}`])).figures))
    const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"))
    if (file === undefined) throw new Error("no profile written")
    console.log(summarize(join(dir, file), ["getSignedUrl", "makeSpanUnsafe", "writev"]))
    return
  }
  const results = new Map<string, Array<string>>()
  for (let round = 1; round <= rounds; round++) {
    console.log(`round ${round}`)
    let bare: Measured | undefined
    for (const variant of variants) {
      const measured = await measure(variant)
      if (variant.script === "bare-server.ts") bare = measured
      const rps = measured.figures.requestsPerSecond
      const ratio = bare === undefined ? "" : `  ${(rps / bare.figures.requestsPerSecond).toFixed(2)}x bare`
      const cpu = bare === undefined ? "" : ` (${(bare.cpuMicrosPerRequest / measured.cpuMicrosPerRequest).toFixed(2)}x bare by CPU)`
      console.log(`  ${describeLoad(variant.name, measured.figures)}`)
      console.log(`  ${"".padEnd(34)} server CPU ${measured.cpuMicrosPerRequest} µs/request${ratio}${cpu}`)
      results.set(variant.name, [...(results.get(variant.name) ?? []), `${rps} req/s, ${measured.cpuMicrosPerRequest} µs CPU/req`])
    }
  }
  console.log("\nper round:")
  for (const [name, values] of results) console.log(`  ${name.padEnd(34)} ${values.join("  |  ")}`)
}

await main()
