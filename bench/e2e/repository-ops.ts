/**
 * CPU per FileRepository call on the embedded store (dynalite on LevelDB on disk, through the
 * DynamoDB SDK's in-process transport, exactly as the embedded server builds it): create, get and
 * transition, one at a time. An upload makes 1 create, 2 gets and 4 transitions (see docs/benchmarks.md,
 * "Uploads end to end"), so this is the floor of its metadata cost.
 * Env: BENCH_OPS (300 per kind and round), BENCH_ROUNDS (2). Run: `node bench/e2e/repository-ops.ts`.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import * as DynaliteFileRepository from "@media-object-storage/adapters/dynamodb/DynaliteFileRepository"
import type { FileRecord } from "@media-object-storage/core/FileRecord"
import { FileRepository } from "@media-object-storage/core/ports/FileRepository"

const n = Number(process.env.BENCH_OPS ?? 300)
const rounds = Number(process.env.BENCH_ROUNDS ?? 2)
const now = 1_800_000_000

const record = (i: number) =>
  ({
    fileId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    accountId: "10020",
    entityType: "shipment_item",
    entityId: `CPU|SKU-1|DAMAGED|D-${i}`,
    contentType: "image/jpeg",
    status: "uploading",
    fileSize: 0,
    createdAt: now,
    updatedAt: now,
    version: 0,
    attempts: 0,
    uploadExpiresAt: now + 900,
    dueAt: now + 1800,
    declaredSize: 554_430
  }) as FileRecord

/** CPU ms of this process per call of `op`, for `n` calls one after another. */
const cpuPerCall = <E>(op: (i: number) => Effect.Effect<unknown, E>) =>
  Effect.gen(function*() {
    const before = process.cpuUsage()
    for (let i = 0; i < n; i++) yield* op(i)
    const used = process.cpuUsage(before)
    return (used.user + used.system) / 1000 / n
  })

const dir = mkdtempSync(join(tmpdir(), "bench-repository-ops-"))
await Effect.runPromise(
  Effect.gen(function*() {
    const repo = yield* FileRepository
    for (let round = 0; round <= rounds; round++) {
      const offset = round * 100_000
      const create = yield* cpuPerCall((i) => repo.create(record(offset + i)))
      const get = yield* cpuPerCall((i) => repo.get(record(offset + i).accountId, record(offset + i).fileId))
      const transition = yield* cpuPerCall((i) =>
        repo.transition({ ...record(offset + i), status: "uploaded", fileSize: 554_430, version: 1 }, 0)
      )
      // Round 0 warms up.
      if (round > 0) console.log(`round ${round}: CPU per call: create ${create.toFixed(2)} ms, get ${get.toFixed(2)} ms, transition ${transition.toFixed(2)} ms`)
    }
  }).pipe(
    Effect.provide(DynaliteFileRepository.layerDynalite({ path: join(dir, "metadata") })),
    Effect.ensuring(Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
  )
)
