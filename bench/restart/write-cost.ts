/**
 * node bench/restart/write-cost.ts
 *
 * What the write intents cost each metadata write of the embedded store: rounds of
 * BENCH_WRITES (default 2000) creates, each followed by one transition, through the
 * FileRepository on dynalite on disk, with intents and without, alternating in one
 * process (a fresh store each round, after one unreported round of each). Prints CPU time
 * (user + system) and wall time per write.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { cpus, loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { layerDynalite } from "@media-object-storage/adapters/dynamodb/DynaliteFileRepository"
import type { EntityKey } from "@media-object-storage/core/EntityKey"
import type { FileRecord } from "@media-object-storage/core/FileRecord"
import type { AccountId, FileId } from "@media-object-storage/core/Ids"
import { FileRepository } from "@media-object-storage/core/ports/FileRepository"

const writes = Number(process.env["BENCH_WRITES"] ?? 2000)
const rounds = Number(process.env["BENCH_RUNS"] ?? 4)
const scratch = mkdtempSync(join(tmpdir(), "media-bench-writes-"))

const record = (i: number): FileRecord => ({
  fileId: `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}` as FileId,
  accountId: "10000" as AccountId,
  entityType: "shipment_item",
  entityId: `SHIP${Math.floor(i / 20)}|SKU-1|DAMAGED|D${i % 20}` as EntityKey,
  contentType: "image/jpeg",
  status: "uploading",
  fileSize: 0,
  createdAt: 1_760_000_000,
  updatedAt: 1_760_000_000,
  version: 0,
  attempts: 0,
  uploadExpiresAt: 1_760_000_900,
  dueAt: 1_760_001_800
})

/** CPU and wall milliseconds per write (half creates, half transitions that move the due entry). */
const round = (path: string, writeIntents: boolean) =>
  Effect.gen(function*() {
    const repo = yield* FileRepository
    const cpu = process.cpuUsage()
    const start = performance.now()
    yield* Effect.forEach(Array.from({ length: writes / 2 }, (_, i) => record(i)), (r) =>
      Effect.andThen(repo.create(r), repo.transition({ ...r, status: "uploaded", fileSize: 10, dueAt: r.dueAt! + 60, version: 1 }, 0)), {
      concurrency: 4,
      discard: true
    })
    const used = process.cpuUsage(cpu)
    return { cpu: (used.user + used.system) / 1000 / writes, wall: (performance.now() - start) / writes }
  }).pipe(Effect.provide(Layer.fresh(layerDynalite({ path, writeIntents }))))

console.log(`# ${new Date().toISOString()}, ${cpus()[0]?.model ?? "?"} x${cpus().length}, Node ${process.version}, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`)
const results: Record<string, Array<{ cpu: number; wall: number }>> = { intents: [], none: [] }
try {
  // One round of each first, unreported: the JIT warms up.
  for (const intents of [true, false]) await Effect.runPromise(round(join(scratch, `warm-${intents}`), intents))
  for (let i = 0; i < rounds; i++) {
    for (const intents of i % 2 === 0 ? [true, false] : [false, true]) {
      const r = await Effect.runPromise(round(join(scratch, `r${i}-${intents}`), intents))
      results[intents ? "intents" : "none"]!.push(r)
      console.log(`${intents ? "intents" : "none   "} ${r.cpu.toFixed(3)} ms CPU / write, ${r.wall.toFixed(3)} ms wall / write`)
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN
for (const [name, rs] of Object.entries(results)) {
  console.log(`median ${name.padEnd(7)} ${median(rs.map((r) => r.cpu)).toFixed(3)} ms CPU / write, ${median(rs.map((r) => r.wall)).toFixed(3)} ms wall / write`)
}
console.log(`# load at the end ${loadavg().map((l) => l.toFixed(2)).join(" ")}`)
