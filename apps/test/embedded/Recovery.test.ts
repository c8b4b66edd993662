/**
 * Start-up recovery (embedded mode) dispatches exactly the work a previous
 * run left unfinished: stored-but-unprocessed uploads, and final files whose
 * original was not yet removed. Files in flight wait for their lease.
 */
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import type { FileRecord } from "@media-object-storage/core/FileRecord"
import type { AccountId, FileId } from "@media-object-storage/core/Ids"
import { layerMemory } from "@media-object-storage/core/memory/layerMemory"
import { originalKey } from "@media-object-storage/core/ObjectKeys"
import { FileRepository } from "@media-object-storage/core/ports/FileRepository"
import { ObjectStore } from "@media-object-storage/core/ports/ObjectStore"
import { Dispatcher, type FileJob } from "../../src/embedded/Dispatcher.ts"
import * as Recovery from "../../src/embedded/Recovery.ts"

const account = "10020" as AccountId
const now = 1_700_000_000

const record = (name: string, patch: Partial<FileRecord>): FileRecord => ({
  fileId: `00000000-0000-4000-8000-${name.padStart(12, "0")}` as FileId,
  accountId: account,
  entityType: "shipment_item",
  entityId: `S1|SKU|DAMAGED|${name}` as FileRecord["entityId"],
  contentType: "image/jpeg",
  status: "uploading",
  fileSize: 0,
  createdAt: now,
  updatedAt: now,
  version: 1,
  attempts: 0,
  uploadExpiresAt: now + 900,
  dueAt: now + 1800,
  ...patch
})

const files = {
  arrived: record("1", { status: "uploaded", fileSize: 10, dueAt: now + 60 }),
  arrivedUnregistered: record("2", {}),
  neverArrived: record("3", {}),
  inFlight: record("4", { status: "processing", attempts: 1, leaseExpiresAt: now + 300, dueAt: now + 300 }),
  readyNotCleaned: record("5", { status: "ready", attempts: 1, width: 1, height: 1, dueAt: now + 60 }),
  failedNotCleaned: record("6", { status: "failed", attempts: 1, failureReason: "corrupt_image", dueAt: now + 60 }),
  readyCleaned: (({ dueAt: _, ...r }) => ({ ...r, status: "ready", attempts: 1, width: 1, height: 1 }) as FileRecord)(record("7", {}))
}

describe("embedded start-up recovery", () => {
  it.effect("dispatches stored uploads and final files awaiting clean-up, and nothing else", () =>
    Effect.gen(function*() {
      yield* TestClock.adjust(Duration.seconds(now))
      const repo = yield* FileRepository
      const store = yield* ObjectStore
      yield* Effect.forEach(Object.values(files), (r) => repo.create(r))
      for (const r of [files.arrived, files.arrivedUnregistered, files.inFlight, files.readyNotCleaned, files.failedNotCleaned]) {
        yield* store.put(originalKey(account, r.fileId), new Uint8Array([1]), "image/jpeg")
      }
      const jobs: Array<FileJob> = []
      const recording = Layer.succeed(Dispatcher, {
        dispatch: (job) => Effect.sync(() => void jobs.push(job))
      })
      yield* Layer.build(Recovery.layer.pipe(Layer.provide(recording)))
      const expected = [files.arrived, files.arrivedUnregistered, files.readyNotCleaned, files.failedNotCleaned]
        .map((r) => originalKey(account, r.fileId))
      assert.deepStrictEqual(jobs.map((j) => originalKey(j.accountId, j.fileId)).sort(), expected.sort())
    }).pipe(Effect.scoped, Effect.provide(layerMemory())))
})
