import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Option, Result } from "effect"
import type { FileRecord } from "../../src/FileRecord.ts"
import { apply, cleanupGraceSeconds, type FileEvent } from "../../src/FileState.ts"
import type { AccountId, FileId } from "../../src/Ids.ts"
import { defaultMediaConfig } from "../../src/MediaConfig.ts"
import { layerMemory } from "../../src/memory/layerMemory.ts"
import { derivativeKeys } from "../../src/ObjectKeys.ts"
import { FileRepository } from "../../src/ports/FileRepository.ts"
import { ObjectStore } from "../../src/ports/ObjectStore.ts"
import { freshAccount, png } from "../fixtures.ts"
import { advance, atStart, leftovers, start, upload, uploaded } from "./helpers.ts"
import { sweepDue } from "./processing.ts"

const { uploadUrlTtlSeconds: ttl, uploadGraceSeconds: grace, leaseSeconds: lease, redispatchAfterSeconds: redispatch } =
  defaultMediaConfig

const recordOf = (accountId: AccountId, fileId: FileId) =>
  FileRepository.use((repo) => repo.get(accountId, fileId)).pipe(Effect.map(Option.getOrThrow))

/** Writes one lifecycle event straight to the repository, as a processor that then crashed would have. */
const force = (record: FileRecord, event: FileEvent) =>
  Effect.gen(function*() {
    const outcome = apply(record, event)
    if (Result.isFailure(outcome) || outcome.success._tag !== "Changed") throw new Error(`${event._tag} did not apply`)
    const next = outcome.success.record
    yield* FileRepository.use((repo) => repo.transition(next, record.version))
    return next
  })

describe("SweepDue", () => {
  it.effect("fails an upload that never arrived with upload_expired once expiry plus grace has passed", () =>
    Effect.gen(function*() {
      yield* atStart
      const account = freshAccount()
      const { file_id } = yield* upload(account)
      yield* advance(ttl + grace - 1)
      assert.deepStrictEqual(yield* sweepDue(), [])
      assert.strictEqual((yield* recordOf(account, file_id)).status, "uploading")
      yield* advance(1)
      const swept = yield* sweepDue()
      assert.deepStrictEqual(swept.map(([r, result]) => [r.fileId, result]), [[file_id, "failed"]])
      const record = yield* recordOf(account, file_id)
      assert.strictEqual(record.failureReason, "upload_expired")
      assert.strictEqual(record.updatedAt, start + ttl + grace)
      assert.deepStrictEqual(yield* sweepDue(), [], "a final file is never due again")
    }).pipe(Effect.provide(layerMemory())))

  it.effect("processes an upload whose event was lost instead of expiring it", () =>
    Effect.gen(function*() {
      yield* atStart
      const account = freshAccount()
      const { fileId } = yield* uploaded(account, png(10, 10))
      yield* advance(ttl + grace)
      const swept = yield* sweepDue()
      assert.deepStrictEqual(swept.map(([, result]) => result), ["ready"])
      assert.strictEqual((yield* recordOf(account, fileId)).status, "ready")
    }).pipe(Effect.provide(layerMemory())))

  it.effect("dispatches again a file left uploaded by a lost event, once the redispatch delay passed", () =>
    Effect.gen(function*() {
      yield* atStart
      const account = freshAccount()
      const { fileId } = yield* uploaded(account, png(10, 10))
      yield* force(yield* recordOf(account, fileId), { _tag: "ObjectCreated", now: start, size: 32, redispatchAt: start + redispatch })
      yield* advance(redispatch - 1)
      assert.deepStrictEqual(yield* sweepDue(), [])
      yield* advance(1)
      assert.deepStrictEqual((yield* sweepDue()).map(([, result]) => result), ["ready"])
    }).pipe(Effect.provide(layerMemory())))

  it.effect("retries a file stuck in processing only after its lease ran out", () =>
    Effect.gen(function*() {
      yield* atStart
      const account = freshAccount()
      const { fileId } = yield* uploaded(account, png(10, 10))
      const arrived = yield* force(yield* recordOf(account, fileId), { _tag: "ObjectCreated", now: start, size: 32, redispatchAt: start + redispatch })
      // A processor started attempt 1 and crashed.
      yield* force(arrived, { _tag: "ProcessingStarted", now: start, leaseUntil: start + lease })
      yield* advance(lease - 1)
      assert.deepStrictEqual(yield* sweepDue(), [])
      assert.strictEqual((yield* recordOf(account, fileId)).status, "processing")
      yield* advance(1)
      assert.deepStrictEqual((yield* sweepDue()).map(([, result]) => result), ["ready"])
      const record = yield* recordOf(account, fileId)
      assert.strictEqual(record.attempts, 2)
      assert.strictEqual(record.status, "ready")
    }).pipe(Effect.provide(layerMemory())))

  it.effect("fails processing_error when the third attempt's lease runs out, and deletes the original", () =>
    Effect.gen(function*() {
      yield* atStart
      const account = freshAccount()
      const { fileId } = yield* uploaded(account, png(10, 10))
      let record = yield* force(yield* recordOf(account, fileId), { _tag: "ObjectCreated", now: start, size: 32, redispatchAt: start })
      record = yield* force({ ...record }, { _tag: "ProcessingStarted", now: start, leaseUntil: start + lease })
      // Pretend two earlier attempts already crashed.
      yield* FileRepository.use((repo) => repo.transition({ ...record, attempts: 3, version: record.version + 1 }, record.version))
      yield* advance(lease)
      assert.deepStrictEqual((yield* sweepDue()).map(([, result]) => result), ["failed"])
      assert.strictEqual((yield* recordOf(account, fileId)).failureReason, "processing_error")
      assert.deepStrictEqual(yield* leftovers(account, fileId), [])
    }).pipe(Effect.provide(layerMemory())))

  it.effect("removes the original of a file whose workflow died between ready and its clean-up", () =>
    Effect.gen(function*() {
      yield* atStart
      const account = freshAccount()
      const { fileId, key } = yield* uploaded(account, png(10, 10))
      let record = yield* force(yield* recordOf(account, fileId), { _tag: "ObjectCreated", now: start, size: 32, redispatchAt: start })
      record = yield* force(record, { _tag: "ProcessingStarted", now: start, leaseUntil: start + lease })
      const store = yield* ObjectStore
      const winners = derivativeKeys(account, fileId, 1)
      yield* Effect.forEach(winners, (k) => store.put(k, png(1, 1), "image/jpeg"))
      // Attempt 1 recorded its success, then the process died before deleting the original.
      yield* force(record, { _tag: "Processed", now: start, attempt: 1, size: 10, width: 10, height: 10 })
      assert.deepStrictEqual(yield* sweepDue(), [], "the workflow itself gets the first chance")
      yield* advance(cleanupGraceSeconds)
      assert.deepStrictEqual((yield* sweepDue()).map(([, result]) => result), ["ready"])
      assert.deepStrictEqual([...(yield* leftovers(account, fileId))].sort(), [...winners].sort())
      assert.isTrue(Option.isNone(yield* store.head(key)))
      const cleaned = yield* recordOf(account, fileId)
      assert.isUndefined(cleaned.dueAt)
      assert.strictEqual(cleaned.updatedAt, start, "the clean-up changes nothing a client sees")
      yield* advance(3600)
      assert.deepStrictEqual(yield* sweepDue(), [], "and once cleaned up, never due again")
    }).pipe(Effect.provide(layerMemory())))

  it.effect("bounds each file, so a store that never answers for one file does not hold up the others", () =>
    Effect.gen(function*() {
      yield* atStart
      const account = freshAccount()
      const stuck = yield* uploaded(account, png(10, 10), "S1|SKU|DAMAGED|D1")
      const fine = yield* uploaded(account, png(10, 10), "S1|SKU|DAMAGED|D2")
      yield* advance(ttl + grace)
      const repo = yield* FileRepository
      // Reads of one file hang forever after the sweeper listed it, as a wedged store would.
      const wedged = FileRepository.of({
        ...repo,
        get: (accountId, fileId) => fileId === stuck.fileId ? Effect.never : repo.get(accountId, fileId)
      })
      const sweep = yield* Effect.forkChild(sweepDue().pipe(Effect.provideService(FileRepository, wedged)))
      yield* advance(lease + 30)
      const swept = yield* Fiber.join(sweep)
      assert.deepStrictEqual(
        swept.map(([r, result]) => [r.fileId, result]).sort(),
        [[stuck.fileId, "stalled"], [fine.fileId, "ready"]].sort()
      )
      // Once the store answers again, the next sweep takes the stalled file up.
      assert.deepStrictEqual((yield* sweepDue()).map(([r, result]) => [r.fileId, result]), [[stuck.fileId, "ready"]])
    }).pipe(Effect.provide(layerMemory())))

  it.effect("looks at no more files than the batch size", () =>
    Effect.gen(function*() {
      yield* atStart
      const account = freshAccount()
      yield* Effect.forEach([1, 2, 3], () => upload(account))
      yield* advance(ttl + grace)
      assert.strictEqual((yield* sweepDue({ batch: 2 })).length, 2)
      assert.strictEqual((yield* sweepDue({ batch: 2 })).length, 1)
    }).pipe(Effect.provide(layerMemory())))
})
