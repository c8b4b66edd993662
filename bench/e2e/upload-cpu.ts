/**
 * Server CPU per upload outside the image work (issue 13.4): the embedded
 * server in a child process takes N uploads of one photo-like JPEG, each to
 * `ready` (upload-url, the multipart POST, the workflow, one GET with its
 * signed URLs); its CPU (user + system, every thread, from /proc) is read
 * after each of the three steps, also per thread. Alternating with it, the
 * image work alone: the same bytes through SharpImageProcessor (defaults, as
 * the server builds it) in this process, its CPU from /proc too. Overhead =
 * server ms per upload minus image-work ms per image.
 *
 * The client does not poll the API while a file is processed (a poll is a
 * request, and its CPU is no part of an upload): it watches the data dir until
 * the original is gone (deleted once the file is final), then reads the file
 * once. Before each reading the server is left to go idle (the last clean-ups).
 *
 * Env: BENCH_UPLOADS (100 per round), BENCH_ROUNDS (3), BENCH_CLIENT_CONCURRENCY (2),
 * BENCH_WIDTH x BENCH_HEIGHT (1600 x 1200), BENCH_PROFILE=1 (the first server runs
 * under --cpu-prof; each round's main-thread time is broken down per upload; the
 * CPU figures then include the profiler's own cost), BENCH_SERVER_ARGS (node flags
 * for the server), BENCH_COMPARE_DIR / BENCH_COMPARE_ARGS (a second server, from
 * another checkout and/or with node flags, measured alternately in every round).
 * Run: `node bench/e2e/upload-cpu.ts` (~3 minutes; results in docs/benchmarks.md).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import * as SharpImageProcessor from "@media-object-storage/adapters/sharp/SharpImageProcessor"
import { defaultMediaConfig } from "@media-object-storage/core/MediaConfig"
import type { EmbeddedServerInfo } from "../../test/load/EmbeddedServer.ts"
import { token } from "../../test/load/EmbeddedServer.ts"
import { makeJpeg } from "../../test/load/testImage.ts"
import { type Client, type FileJson, makeTally, mapLimit } from "../../test/load/UploadClient.ts"
import { type Child, startChild } from "../http/child.ts"
import { cpuSeconds } from "../http/cpuTime.ts"
import { selfTimeByPart } from "./profileWindow.ts"

const count = Number(process.env.BENCH_UPLOADS ?? 100)
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
const clientConcurrency = Number(process.env.BENCH_CLIENT_CONCURRENCY ?? 2)
const width = Number(process.env.BENCH_WIDTH ?? 1600)
const height = Number(process.env.BENCH_HEIGHT ?? 1200)
const profiling = process.env.BENCH_PROFILE === "1"
/** The account of test/load/EmbeddedServer.ts's token. */
const account = "10020"
const goalMs = 15

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
const ms = (x: number) => `${x.toFixed(1)} ms`

/** CPU ms of this process (every thread) per image, for `n` images through the processor, 2 at once. */
const imageWork = (processor: Effect.Success<ReturnType<typeof SharpImageProcessor.make>>, image: Buffer, n: number) =>
  Effect.runPromise(Effect.gen(function*() {
    const before = cpuSnapshot(process.pid)
    yield* Effect.forEach(
      Array.from({ length: n }, () => image),
      (bytes) => processor.process(bytes, { maxPixels: defaultMediaConfig.maxPixels }),
      { concurrency: 2, discard: true }
    )
    return perUpload(before, cpuSnapshot(process.pid), n)
  }))

/** The server's monotonic clock in µs (the profile's clock). */
const serverClock = (server: Child<EmbeddedServerInfo>) =>
  new Promise<number>((resolve) => {
    const onMessage = (message: unknown) => {
      if (typeof message === "object" && message !== null && "clock" in message) {
        server.process.off("message", onMessage)
        resolve(Number(message.clock))
      }
    }
    server.process.on("message", onMessage)
    server.process.send("clock")
  })

/** Waits until the server used no CPU for 300 ms (at most 5 s): the last clean-ups are done. */
const settle = async (pid: number) => {
  let last = cpuSeconds(pid)
  let quiet = 0
  for (let i = 0; i < 50 && quiet < 3; i++) {
    await sleep(100)
    const now = cpuSeconds(pid)
    quiet = now === last ? quiet + 1 : 0
    last = now
  }
}

/** CPU seconds per thread name (`comm`: node's main thread, libuv's pool, V8's workers, libvips'), and in all. */
const cpuSnapshot = (pid: number) => {
  const threads = new Map<string, number>()
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8")
      const name = tid === String(pid) ? "main thread" : stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"))
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      threads.set(name, (threads.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100)
    } catch {
      // The thread ended meanwhile (its time stays in the process's total).
    }
  }
  return { total: cpuSeconds(pid), threads }
}
type Snapshot = ReturnType<typeof cpuSnapshot>

/** CPU ms per upload between two snapshots: in all, and by thread name. */
const perUpload = (before: Snapshot, after: Snapshot, n: number) => ({
  total: ((after.total - before.total) * 1000) / n,
  threads: new Map([...after.threads].map(([name, s]) => [name, ((s - (before.threads.get(name) ?? 0)) * 1000) / n]))
})
type PerUpload = ReturnType<typeof perUpload>

const threadsText = (cpu: PerUpload) =>
  [...cpu.threads].filter(([, v]) => v > 0).map(([k, v]) => `${k} ${ms(v)}`).join(", ")

/** The server's resident memory now and at its peak (VmRSS, VmHWM from /proc), in MiB. */
const memoryText = (pid: number) => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8")
  const mib = (field: string) => (Number(/\d+/.exec(status.split("\n").find((l) => l.startsWith(field)) ?? "")?.[0] ?? 0) / 1024).toFixed(0)
  return `RSS ${mib("VmRSS:")} MiB, peak ${mib("VmHWM:")} MiB`
}

interface Ticket {
  readonly file_id: string
  readonly upload_url: string
  readonly fields: Record<string, string>
}

const api = (client: Client, path: string, init: RequestInit = {}) =>
  fetch(`${client.base}${path}`, { ...init, headers: { authorization: `Bearer ${client.token}`, ...init.headers } })

const requestUpload = async (client: Client, entityId: string, size: number): Promise<Ticket> => {
  const reply = await api(client, "/v1/media/upload-url", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ content_type: "image/jpeg", entity_type: "shipment_item", entity_id: entityId, file_size: size })
  })
  if (reply.status !== 200) throw new Error(`upload-url: ${reply.status} ${await reply.text()}`)
  return (await reply.json()) as Ticket
}

/** The multipart POST to storage, as a browser form sends it. */
const post = async (ticket: Ticket, bytes: Buffer) => {
  const form = new FormData()
  for (const [name, value] of Object.entries(ticket.fields)) form.append(name, value)
  form.append("file", new Blob([new Uint8Array(bytes)], { type: "image/jpeg" }), "photo.jpg")
  const reply = await fetch(ticket.upload_url, { method: "POST", body: form })
  if (reply.status !== 204) throw new Error(`storage POST: ${reply.status} ${await reply.text()}`)
}

interface Batch {
  /** The three steps of an upload, CPU per upload: upload-url; POST and processing; the GET of the ready file. */
  readonly request: PerUpload
  readonly stored: PerUpload
  readonly read: PerUpload
  readonly total: number
  readonly window: readonly [number, number]
}

/**
 * `n` uploads to ready, step by step for all files (every upload-url, then every POST with its
 * processing, then one GET of each file), so each step's CPU is read apart; the server's CPU per upload.
 */
const uploads = async (server: Child<EmbeddedServerInfo>, client: Client, image: Buffer, n: number, tag: string): Promise<Batch> => {
  const pid = server.process.pid!
  const originals = join(server.message.dataDir, "objects", "originals", account)
  const indices = Array.from({ length: n }, (_, i) => i)
  await settle(pid)
  const from = profiling ? await serverClock(server) : 0
  const start = cpuSnapshot(pid)
  const tickets = await mapLimit(indices, clientConcurrency, (i) => requestUpload(client, `CPU|SKU-${i % 10}|DAMAGED|${tag}-${i}`, image.length))
  await settle(pid)
  const requested = cpuSnapshot(pid)
  await mapLimit(tickets, clientConcurrency, async (ticket) => {
    await post(ticket, image)
    // The original goes once the file is final; until then, no request.
    for (let waited = 0; existsSync(join(originals, ticket.file_id)); waited++) {
      if (waited > 6000) throw new Error(`file ${ticket.file_id} not processed within 60 s`)
      await sleep(10)
    }
  })
  await settle(pid)
  const processed = cpuSnapshot(pid)
  await mapLimit(tickets, clientConcurrency, async (ticket) => {
    const reply = await api(client, `/v1/media/${ticket.file_id}`)
    const file = (await reply.json()) as FileJson
    if (file.status !== "ready") throw new Error(`file ${ticket.file_id} is ${file.status} (${file.failure_reason})`)
  })
  await settle(pid)
  const end = cpuSnapshot(pid)
  const to = profiling ? await serverClock(server) : 0
  return {
    request: perUpload(start, requested, n),
    stored: perUpload(requested, processed, n),
    read: perUpload(processed, end, n),
    total: perUpload(start, end, n).total,
    window: [from, to]
  }
}

interface Round {
  readonly image: PerUpload
  readonly batch: Batch
}

/** A server under test: which checkout's server, with which node flags. */
interface Contender {
  readonly label: string
  readonly root: string
  readonly args: ReadonlyArray<string>
}

const flags = (value: string | undefined) => value?.split(" ").filter((a) => a !== "") ?? []
const here = join(import.meta.dirname, "..", "..")

/**
 * This checkout's server; with BENCH_COMPARE_DIR (another checkout, e.g. the commit before a change, with
 * its node_modules) and/or BENCH_COMPARE_ARGS (node flags), a second server, measured alternately in
 * every round. BENCH_SERVER_ARGS: node flags for the first (with either, the servers' stdout shows).
 */
const contenders: ReadonlyArray<Contender> = [
  { label: "this", root: here, args: flags(process.env.BENCH_SERVER_ARGS) },
  ...(process.env.BENCH_COMPARE_DIR === undefined && process.env.BENCH_COMPARE_ARGS === undefined ? [] : [{
    label: `compare (${process.env.BENCH_COMPARE_DIR ?? here}${process.env.BENCH_COMPARE_ARGS === undefined ? "" : ` ${process.env.BENCH_COMPARE_ARGS}`})`,
    root: process.env.BENCH_COMPARE_DIR ?? here,
    args: flags(process.env.BENCH_COMPARE_ARGS)
  }])
]

const report = (label: string, results: ReadonlyArray<Round>) => {
  const of = (f: (r: Round) => number) => median(results.map(f))
  console.log(
    `${label}: medians per upload: server CPU ${ms(of((r) => r.batch.total))} = upload-url ${ms(of((r) => r.batch.request.total))} + ` +
      `POST and processing ${ms(of((r) => r.batch.stored.total))} + GET ${ms(of((r) => r.batch.read.total))}; ` +
      `image work alone ${ms(of((r) => r.image.total))}; outside image work ${ms(of((r) => r.batch.total - r.image.total))}`
  )
  return { image: of((r) => r.image.total), total: of((r) => r.batch.total), outside: of((r) => r.batch.total - r.image.total) }
}

const main = async () => {
  const image = await makeJpeg(width, height)
  const profileDir = profiling ? mkdtempSync(join(tmpdir(), "bench-upload-cpu-")) : undefined
  console.log(
    `${rounds} rounds of ${count} uploads of a ${width}x${height} JPEG (${image.length} bytes), ${clientConcurrency} in flight, ` +
      `alternating with the image work alone on the same bytes (2 at once)${profiling ? "; first server under --cpu-prof" : ""}`
  )
  const processor = await Effect.runPromise(SharpImageProcessor.make())
  const servers: Array<{ readonly contender: Contender; readonly server: Child<EmbeddedServerInfo>; readonly client: Client; readonly results: Array<Round> }> = []
  try {
    for (const [i, contender] of contenders.entries()) {
      const profile = i === 0 && profileDir !== undefined ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []
      const server = await startChild<EmbeddedServerInfo>(join(contender.root, "bench", "e2e", "embedded-server.ts"), {
        execArgv: [...contender.args, ...profile],
        stdout: contenders.some((c) => c.args.length > 0) ? "inherit" : "ignore"
      })
      servers.push({ contender, server, client: { base: server.message.url, token, tally: makeTally() }, results: [] })
      console.log(`server ${contender.label}: pid ${server.process.pid}, node flags [${contender.args.join(" ")}]`)
    }
    console.log("")
    // Warm-up (JIT, first-use costs), not counted.
    await imageWork(processor, image, 8)
    for (const { server, client } of servers) await uploads(server, client, image, 8, "warm")
    for (let round = 1; round <= rounds; round++) {
      // The order of the servers alternates from round to round.
      for (const { contender, server, client, results } of round % 2 === 1 ? servers : [...servers].reverse()) {
        const imageCpu = await imageWork(processor, image, count)
        const batch = await uploads(server, client, image, count, `r${round}`)
        results.push({ image: imageCpu, batch })
        console.log(
          `round ${round}, ${contender.label}: server ${ms(batch.total)} per upload (upload-url ${ms(batch.request.total)}, POST + processing ` +
            `${ms(batch.stored.total)}, GET ${ms(batch.read.total)}); image work alone ${ms(imageCpu.total)}; ` +
            `outside image work ${ms(batch.total - imageCpu.total)}`
        )
        console.log(`  POST + processing by thread: ${threadsText(batch.stored)}`)
        console.log(`  image work alone by thread:  ${threadsText(imageCpu)}`)
      }
    }
    for (const { contender, server } of servers) console.log(`server ${contender.label}: ${memoryText(server.process.pid!)}`)
  } finally {
    for (const { server } of servers) await server.stop()
  }
  if (profileDir !== undefined) {
    const [file] = readdirSync(profileDir)
    for (const [i, { batch }] of servers[0]!.results.entries()) {
      const parts = [...selfTimeByPart(join(profileDir, file!), batch.window[0], batch.window[1])].filter(([part]) => part !== "idle")
      const busy = parts.reduce((sum, [, us]) => sum + us, 0)
      console.log(`\nround ${i + 1}: server main thread sampled busy ${ms(busy / 1000 / count)} per upload (wall time while on the stack; ${join(profileDir, file!)}, µs ${batch.window.join("-")})`)
      for (const [part, us] of parts.sort((a, b) => b[1] - a[1])) console.log(`  ${ms(us / 1000 / count).padStart(9)}  ${part}`)
    }
  }
  console.log("")
  const [first] = servers.map(({ contender, results }) => report(contender.label, results))
  console.log(`image work CPU per upload (the same bytes, alone): ${ms(first!.image)}`)
  console.log(`server CPU per upload, total: ${ms(first!.total)}`)
  console.log(`GOAL server CPU per upload outside image work | ${ms(first!.outside)} | <= ${goalMs} ms | ${first!.outside <= goalMs ? "met" : "missed"}`)
}

await main()
