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
import { imageKey, originalKey, thumbnailKey } from "@media-object-storage/core/ObjectKeys"
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { LastStop } from "../../src/embedded/LastStop.ts"
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

describe("removeDeadTempsAtStart", () => {
  /** A temp file (as the disk store names them) in the folder of `key` under `root`; its path. */
  const temp = (root: string, key: string) => {
    const path = join(root, dirname(key), `.${key.split("/").at(-1)}.k2x9.tmp`)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, "partial")
    return path
  }
  const run = (unclean: boolean) =>
    Effect.gen(function*() {
      const root = yield* Effect.acquireRelease(
        Effect.sync(() => mkdtempSync(join(tmpdir(), "media-temps-"))),
        (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
      )
      yield* TestClock.adjust(Duration.seconds(now))
      const repo = yield* FileRepository
      yield* Effect.forEach([files.inFlight, files.readyCleaned], (r) => repo.create(r))
      const temps = {
        upload: temp(root, originalKey(account, files.arrived.fileId)),
        inFlightImage: temp(root, imageKey(account, files.inFlight.fileId, 1)),
        inFlightThumbnail: temp(root, thumbnailKey(account, files.inFlight.fileId, 1)),
        // Not due: no write of the last run can have been under way for it.
        settledImage: temp(root, imageKey(account, files.readyCleaned.fileId, 1))
      }
      yield* Layer.build(Recovery.removeDeadTempsAtStart(root).pipe(Layer.provide(Layer.succeed(LastStop, { unclean }))))
      return Object.fromEntries(Object.entries(temps).map(([name, path]) => [name, existsSync(path)]))
    }).pipe(Effect.scoped, Effect.provide(layerMemory()))

  it.effect("after a clean stop looks only in originals/; after an unclean one, also in the folders of the files still due", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* run(false), { upload: false, inFlightImage: true, inFlightThumbnail: true, settledImage: true })
      assert.deepStrictEqual(yield* run(true), { upload: false, inFlightImage: false, inFlightThumbnail: false, settledImage: true })
    }))
})
