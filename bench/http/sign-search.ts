/**
 * A search page of 100 ready files whose URLs are signed for the first time
 * (`GET /v1/media/search?...&limit=100`), against the same page without URLs
 * (the same 100 files, `processing`): the server's CPU time per page (all
 * threads, so the thread-pool signatures count), read by the server itself
 * around each request. Two servers, on the embedded server's repository
 * (dynalite, LevelDB) and on the memory one (no database: the HTTP stack and
 * signing alone); one run, contenders alternating page by page in a rotating
 * order; every signed page gets a new signer with an empty cache.
 * Contenders (bench/http/sign-search-server.ts): `ec` (ECDSA P-256, the
 * embedded default, one custom policy per file), `rsa` (RSA-2048, one policy
 * per file) and `rsa-canned` (RSA-2048, two canned policies per file: before).
 *
 * Env: BENCH_PAGES (measured pages per contender, default 30), BENCH_WARMUP (5),
 * BENCH_PROFILE=<contender> (one run of that contender under --cpu-prof, then its top frames;
 * BENCH_REPO picks the repository, dynalite by default).
 * Run: `node bench/http/sign-search.ts`. Prints one GOAL line: the embedded server as shipped (dynalite,
 * the ECDSA P-256 key a new data dir gets); the RSA-2048 ratio on the line before it.
 */
import { mkdtempSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { loadavg } from "node:os"
import { type Child, startChild } from "./child.ts"
import { summarize } from "./cpuprofile-top.ts"
import type { Ask, Contender, Ready } from "./sign-search-server.ts"

type Kind = "unsigned" | Contender

const pages = Number(process.env.BENCH_PAGES ?? 30)
const warmup = Number(process.env.BENCH_WARMUP ?? 5)
const profiled = process.env.BENCH_PROFILE as Contender | undefined
const kinds: ReadonlyArray<Kind> = ["unsigned", "rsa", "ec", "rsa-canned"]
const goal = 2

/** Sends `ask` and resolves with the child's next message. */
const ask = <A>(child: Child<Ready>, message: Ask) =>
  new Promise<A>((resolve) => {
    child.process.once("message", (reply) => resolve(reply as A))
    child.process.send(message)
  })

const cpu = async (child: Child<Ready>) => (await ask<{ cpu: number }>(child, { cpu: true })).cpu

/** One page: fresh signer first (outside the measurement), then the server's CPU µs around the request. */
const page = async (child: Child<Ready>, kind: Kind) => {
  if (kind !== "unsigned") await ask(child, { fresh: kind })
  const entity = kind === "unsigned" ? "U1" : "R1"
  const url = `http://127.0.0.1:${child.message.port}/v1/media/search?entity_type=shipment_item&entity_id=${entity}&limit=100`
  const before = await cpu(child)
  const response = await fetch(url, { headers: { authorization: `Bearer ${child.message.token}` } })
  const body = await response.text()
  const used = (await cpu(child)) - before
  const files = response.status === 200 ? (JSON.parse(body) as { files: Array<{ download_url?: string }> }).files : []
  const signed = files.filter((f) => f.download_url !== undefined).length
  if (files.length !== 100 || signed !== (kind === "unsigned" ? 0 : 100)) throw new Error(`unexpected page ${response.status}: ${body.slice(0, 200)}`)
  return { cpu: used, bytes: body.length }
}

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const main = async () => {
  const here = import.meta.dirname
  if (profiled !== undefined) {
    const dir = mkdtempSync(join(tmpdir(), "bench-sign-search-profile-"))
    const child = await startChild<Ready>(join(here, "sign-search-server.ts"), {
      execArgv: ["--cpu-prof", `--cpu-prof-dir=${dir}`],
      env: { BENCH_REPO: process.env.BENCH_REPO ?? "dynalite" }
    })
    for (let i = 0; i < warmup + pages; i++) await page(child, profiled)
    await child.stop()
    const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"))
    if (file === undefined) throw new Error("no profile written")
    console.log(`${warmup + pages} first-signed pages, ${profiled}, profiled (server start-up included)`)
    console.log(summarize(join(dir, file), ["signDerivatives", "signPolicy", "toView", "encodeCloudFrontBase64", "stringify"]))
    return
  }
  const repos = ["dynalite", "memory"] as const
  const children = await Promise.all(repos.map((repo) => startChild<Ready>(join(here, "sign-search-server.ts"), { env: { BENCH_REPO: repo } })))
  const results = new Map<string, Array<{ cpu: number; bytes: number }>>()
  const load = loadavg()[0]!
  try {
    for (let round = 0; round < warmup + pages; round++) {
      for (const [r, child] of children.entries()) {
        // Rotate the order, so a burst of load on the shared machine does not always hit the same contender.
        for (let k = 0; k < kinds.length; k++) {
          const kind = kinds[(round + k + r) % kinds.length]!
          const measured = await page(child, kind)
          if (round < warmup) continue
          const id = `${repos[r]} ${kind}`
          results.set(id, [...(results.get(id) ?? []), measured])
        }
      }
    }
  } finally {
    await Promise.all(children.map((child) => child.stop()))
  }
  const ms = (us: number) => (us / 1000).toFixed(1)
  const medianOf = (id: string) => median(results.get(id)!.map((r) => r.cpu))
  console.log(`search page of 100 files, server CPU per page: median of ${pages} pages (p10-p90), after ${warmup} warm-up rounds; load average ${load.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end`)
  for (const repo of repos) {
    console.log(`${repo}:`)
    const unsigned = medianOf(`${repo} unsigned`)
    for (const kind of kinds) {
      const runs = results.get(`${repo} ${kind}`)!
      const cpus = runs.map((r) => r.cpu).sort((a, b) => a - b)
      const spread = `(${ms(cpus[Math.floor(cpus.length / 10)]!)}-${ms(cpus[Math.floor(cpus.length * 0.9)]!)})`
      console.log(
        `  ${kind.padEnd(11)} ${ms(median(cpus)).padStart(6)} ms CPU ${spread.padEnd(14)} ${(median(cpus) / unsigned).toFixed(2).padStart(6)}x unsigned  ${runs[0]!.bytes} bytes`
      )
    }
  }
  // The goal is for the embedded server as it ships: dynalite, and the ECDSA key a new data dir gets.
  const ratio = medianOf("dynalite ec") / medianOf("dynalite unsigned")
  const rsa = medianOf("dynalite rsa") / medianOf("dynalite unsigned")
  console.log(`(with an RSA-2048 key, as older data dirs and RSA-keyed AWS deployments have: ${rsa.toFixed(2)}x)`)
  console.log(`GOAL search page first-signed vs unsigned CPU | ${ratio.toFixed(2)}x | <= ${goal}x | ${ratio <= goal ? "met" : "missed"}`)
}

await main()
