/**
 * CPU per FileRepository call on the embedded store (dynalite on LevelDB on disk, through the
 * DynamoDB SDK's in-process transport, exactly as the embedded server builds it): create, get and
 * transition, one at a time. An upload makes 1 create, 1 get and 4 transitions (see docs/benchmarks.md,
 * "Uploads end to end"), so this is the floor of its metadata cost.
 * Env: BENCH_OPS (300 per kind and round), BENCH_ROUNDS (2), BENCH_COMPARE_SIGNED=1 (also a client that
 * SigV4-signs, on the same store, alternately). Run: `node bench/e2e/repository-ops.ts`.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { DynamoDBClientConfig } from "@aws-sdk/client-dynamodb"
import { Effect } from "effect"
import { liveClock, makeDynalite } from "../../adapters/src/dynamodb/DynaliteServer.ts"
import * as DynamoFileRepository from "@media-object-storage/adapters/dynamodb/DynamoFileRepository"
import { makeDocumentClient } from "@media-object-storage/adapters/dynamodb/DynamoTable"
import { createTable } from "@media-object-storage/adapters/dynamodb/TableSchema"
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

/** create, get and transition of `n` fresh records (from `offset`), CPU per call of each. */
const perKind = (repo: FileRepository["Service"], offset: number) =>
  Effect.gen(function*() {
    const create = yield* cpuPerCall((i) => repo.create(record(offset + i)))
    const get = yield* cpuPerCall((i) => repo.get(record(offset + i).accountId, record(offset + i).fileId))
    const transition = yield* cpuPerCall((i) =>
      repo.transition({ ...record(offset + i), status: "uploaded", fileSize: 554_430, version: 1 }, 0)
    )
    return { create, get, transition }
  })

const dir = mkdtempSync(join(tmpdir(), "bench-repository-ops-"))
await Effect.runPromise(
  Effect.gen(function*() {
    // The store and client exactly as the embedded server builds them; with BENCH_COMPARE_SIGNED=1 also a
    // second client on the same store that SigV4-signs its requests (the SDK's default, as before the
    // in-process client stopped signing), measured alternately in every round.
    const { clientConfig } = yield* makeDynalite({ path: join(dir, "metadata") })
    const contenders: Array<{ readonly label: string; readonly config: DynamoDBClientConfig }> = [{ label: "embedded", config: clientConfig }]
    if (process.env.BENCH_COMPARE_SIGNED === "1") {
      const { httpAuthSchemes: _, ...signed } = clientConfig
      contenders.push({ label: "signed", config: signed })
    }
    const repos: Array<{ readonly label: string; readonly repo: FileRepository["Service"] }> = []
    for (const { label, config } of contenders) {
      const client = yield* makeDocumentClient(config)
      yield* createTable(client, "media").pipe(liveClock)
      repos.push({ label, repo: yield* DynamoFileRepository.make({ client, tableName: "media" }) })
    }
    for (let round = 0; round <= rounds; round++) {
      const order = round % 2 === 0 ? repos : [...repos].reverse()
      for (const [k, { label, repo }] of order.entries()) {
        const { create, get, transition } = yield* perKind(repo, (round * 2 + k) * 100_000)
        // Round 0 warms up.
        if (round > 0) {
          console.log(`round ${round}, ${label}: CPU per call: create ${create.toFixed(2)} ms, get ${get.toFixed(2)} ms, transition ${transition.toFixed(2)} ms`)
        }
      }
    }
  }).pipe(
    Effect.scoped,
    Effect.ensuring(Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
  )
)
