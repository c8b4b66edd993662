/**
 * node bench/restart/main.ts
 *
 * Restart and start-up of the embedded server (issue 13, parts 5 and 6):
 * (a) makes a data dir with BENCH_FILES ready files (default 100000: metadata
 *     through the repository, image and thumbnail on disk), started once;
 * (b) restarts it over and over, the previous server stopped alternately with
 *     SIGTERM (clean) and SIGKILL (`kill -9`), and times spawn → /readyz 200;
 * (c) times `npm start`'s entry (`node apps/src/server/main.ts`) → /healthz 200
 *     on a fresh data dir, alternating with (b).
 * BENCH_RUNS rounds (default 5). BENCH_BEFORE=<checkout> alternates an earlier
 * version's server with this one in the same run (its own data dir of the same
 * size), for before/after figures; the GOAL lines are this checkout's.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { cpus, loadavg, tmpdir, totalmem } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { makeDataset } from "./dataset.ts"
import { type Started, startServer } from "./server.ts"

const files = Number(process.env["BENCH_FILES"] ?? 100_000)
const rounds = Number(process.env["BENCH_RUNS"] ?? 5)
const here = join(import.meta.dirname, "..", "..")
const contenders: ReadonlyArray<readonly [string, string]> = [
  ["this", here],
  ...(process.env["BENCH_BEFORE"] ? [["before", process.env["BENCH_BEFORE"]] as const] : [])
]

const load = () => loadavg().map((l) => l.toFixed(2)).join(" ")
const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN
const scratch = mkdtempSync(join(tmpdir(), "media-bench-restart-"))

console.log(`# ${new Date().toISOString()}, ${cpus()[0]?.model ?? "?"} x${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, load ${load()}`)
console.log(`# ${files} files, ${rounds} rounds; contenders: ${contenders.map(([name, root]) => `${name}=${root}`).join(", ")}`)

type Sample = Started & { readonly contender: string; readonly kind: string }
const samples: Array<Sample> = []
const record = (contender: string, kind: string, started: Started) => {
  samples.push({ ...started, contender, kind })
  console.log(
    `${contender.padEnd(6)} ${kind.padEnd(14)} healthz ${started.healthzMs.toFixed(0).padStart(5)} ms  readyz ${started.readyzMs.toFixed(0).padStart(5)} ms  ` +
      `cpu ${started.cpuMs.toFixed(0).padStart(5)} ms  rss ${started.rssMiB.toFixed(0)} MiB (peak ${started.peakRssMiB.toFixed(0)})`
  )
}

const running = new Map<string, Started>()
const dataDirs = new Map<string, string>()
try {
  for (const [name, root] of contenders) {
    const dataDir = join(scratch, `data-${name}`)
    const t0 = performance.now()
    await Effect.runPromise(makeDataset(dataDir, files))
    console.log(`# ${name}: data set of ${files} files made in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    dataDirs.set(name, dataDir)
    // The first start makes keys and credentials; not measured.
    running.set(name, await startServer(root, dataDir))
  }
  for (let round = 0; round < rounds; round++) {
    // Alternate which stop comes first, so neither always follows the other.
    const stops = round % 2 === 0 ? (["clean", "kill"] as const) : (["kill", "clean"] as const)
    for (const how of stops) {
      for (const [name, root] of contenders) {
        await running.get(name)!.stop(how)
        const started = await startServer(root, dataDirs.get(name)!)
        running.set(name, started)
        if (how === "kill" && !started.output().includes("did not stop cleanly")) throw new Error(`no unclean-stop warning:\n${started.output()}`)
        record(name, `restart ${how}`, started)
      }
    }
    for (const [name, root] of contenders) {
      const fresh = mkdtempSync(join(scratch, "fresh-"))
      const started = await startServer(root, fresh, "healthz")
      record(name, "fresh start", started)
      await started.stop("clean")
      rmSync(fresh, { recursive: true, force: true })
    }
  }
  await Promise.all([...running.values()].map((s) => s.stop("clean")))
  running.clear()
  printSummary()
} finally {
  await Promise.all([...running.values()].map((s) => s.stop("clean")))
  // Printed before this: removing a 100k-file data dir takes a while.
  rmSync(scratch, { recursive: true, force: true })
}

/** Medians per contender and kind, then the GOAL lines (this checkout's). */
function printSummary() {
  console.log(`\n# medians (load at the end ${load()})`)
  for (const [name] of contenders) {
    for (const kind of ["restart clean", "restart kill", "fresh start"]) {
      const of = samples.filter((s) => s.contender === name && s.kind === kind)
      console.log(
        `${name.padEnd(6)} ${kind.padEnd(14)} healthz ${median(of.map((s) => s.healthzMs)).toFixed(0).padStart(5)} ms  readyz ${median(of.map((s) => s.readyzMs)).toFixed(0).padStart(5)} ms  ` +
          `cpu ${median(of.map((s) => s.cpuMs)).toFixed(0).padStart(5)} ms  peak rss ${median(of.map((s) => s.peakRssMiB)).toFixed(0)} MiB`
      )
    }
  }
  const mine = (kind: string) => samples.filter((s) => s.contender === "this" && s.kind === kind)
  const ratio = median(mine("restart kill").map((s) => s.readyzMs)) / median(mine("restart clean").map((s) => s.readyzMs))
  const fresh = median(mine("fresh start").map((s) => s.healthzMs))
  console.log(`GOAL restart after kill -9 vs clean (${files / 1000}k files) | ${ratio.toFixed(2)}x | <= 1.5x | ${ratio <= 1.5 ? "met" : "missed"}`)
  console.log(`GOAL start to /healthz, fresh data dir | ${fresh.toFixed(0)} ms | <= 700 ms | ${fresh <= 700 ? "met" : "missed"}`)
}
