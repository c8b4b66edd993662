import { assert, describe, it } from "@effect/vitest"
import { Result } from "effect"
import type { FileRecord } from "../src/FileRecord.ts"
import {
  apply,
  cleanupGraceSeconds,
  type FileEvent,
  invariantViolations,
  type Outcome,
  outageBackoffSeconds,
  transitions
} from "../src/FileState.ts"
import { uploadingRecord } from "./fixtures.ts"

const uploading = uploadingRecord({ createdAt: 1_000, updatedAt: 1_000, uploadExpiresAt: 1_900, dueAt: 2_800 })
const uploaded: FileRecord = { ...uploading, status: "uploaded", fileSize: 500, version: 1, updatedAt: 1_100, dueAt: 1_160 }
const processing: FileRecord = {
  ...uploaded,
  status: "processing",
  attempts: 1,
  version: 2,
  leaseExpiresAt: 1_400,
  dueAt: 1_400
}
const { leaseExpiresAt: _l, dueAt: _d, ...settled } = processing
// Final and already cleaned up (no longer due).
const ready: FileRecord = { ...settled, status: "ready", contentType: "image/jpeg", width: 10, height: 20, version: 3 }
const failed: FileRecord = { ...settled, status: "failed", failureReason: "corrupt_image", version: 3 }

const ev = {
  created: { _tag: "ObjectCreated", now: 1_100, size: 500, redispatchAt: 1_160 },
  started: { _tag: "ProcessingStarted", now: 1_200, leaseUntil: 1_500 },
  processed: (attempt: number) => ({ _tag: "Processed", now: 1_300, attempt, size: 90, width: 10, height: 20 }),
  failedWith: (attempt: number, reason: "processing_error" | "corrupt_image" = "processing_error") => ({
    _tag: "ProcessingFailed",
    now: 1_300,
    attempt,
    reason,
    retryAt: 1_330
  }),
  leaseExpired: (now: number) => ({ _tag: "LeaseExpired", now, redispatchAt: now + 5 }),
  uploadExpired: (now: number) => ({ _tag: "UploadExpired", now }),
  deferred: (attempt: number) => ({ _tag: "ProcessingDeferred", now: 1_300, attempt, retryAt: 1_315 }),
  deleted: { _tag: "Deleted", now: 1_300 },
  purged: { _tag: "Purged", now: 1_320 },
  cleanedUp: { _tag: "CleanedUp", now: 1_350 }
} satisfies Record<string, FileEvent | ((...a: never[]) => FileEvent)>

const outcome = (record: FileRecord, event: FileEvent): Outcome => {
  const result = apply(record, event)
  if (Result.isFailure(result)) throw new Error(`illegal: ${result.failure.from} + ${result.failure.event}`)
  return result.success
}
const changedTo = (record: FileRecord, event: FileEvent): FileRecord => {
  const o = outcome(record, event)
  if (o._tag !== "Changed") throw new Error(`expected a change, got ${o._tag}`)
  assert.strictEqual(o.record.version, record.version + 1)
  assert.strictEqual(o.record.updatedAt, event.now)
  return o.record
}
const isIllegal = (record: FileRecord, event: FileEvent) => Result.isFailure(apply(record, event))
const isUnchanged = (record: FileRecord, event: FileEvent) => outcome(record, event)._tag === "Unchanged"

/** Deleted makes a tombstone: never `ready`, due at once, nothing only a live file has, invariants kept. */
const assertTombstone = (record: FileRecord) => {
  const next = changedTo(record, ev.deleted)
  assert.strictEqual(next.status, "deleting")
  assert.strictEqual(next.dueAt, ev.deleted.now)
  for (const k of ["width", "height", "failureReason", "leaseExpiresAt"] as const) assert.isUndefined(next[k], k)
  assert.deepStrictEqual(invariantViolations(next), [])
}

describe("FileState", () => {
  describe("uploading", () => {
    it("moves to uploaded with the stored size when the object arrives", () => {
      const next = changedTo(uploading, ev.created)
      assert.strictEqual(next.status, "uploaded")
      assert.strictEqual(next.fileSize, 500)
      assert.strictEqual(next.dueAt, 1_160)
    })
    it("rejects ProcessingStarted, Processed, ProcessingFailed and LeaseExpired before the upload arrived", () => {
      assert.isTrue(isIllegal(uploading, ev.started))
      assert.isTrue(isIllegal(uploading, ev.processed(0)))
      assert.isTrue(isIllegal(uploading, ev.failedWith(0)))
      assert.isTrue(isIllegal(uploading, ev.leaseExpired(5_000)))
    })
    it("fails upload_expired once due, and ignores an early expiry", () => {
      assert.isTrue(isUnchanged(uploading, ev.uploadExpired(2_799)))
      const next = changedTo(uploading, ev.uploadExpired(2_800))
      assert.strictEqual(next.status, "failed")
      assert.strictEqual(next.failureReason, "upload_expired")
      // Due for its clean-up (a late original must not linger).
      assert.strictEqual(next.dueAt, 2_800 + cleanupGraceSeconds)
    })
    it("becomes a due tombstone on Deleted", () => assertTombstone(uploading))
    it("fails size_mismatch when the stored size differs from the declared file_size", () => {
      const declared = { ...uploading, declaredSize: 400 }
      const next = changedTo(declared, ev.created)
      assert.strictEqual(next.status, "failed")
      assert.strictEqual(next.failureReason, "size_mismatch")
      assert.strictEqual(next.fileSize, 500)
      assert.strictEqual(next.dueAt, 1_100 + cleanupGraceSeconds)
      assert.strictEqual(changedTo({ ...uploading, declaredSize: 500 }, ev.created).status, "uploaded")
    })
  })

  describe("uploaded", () => {
    it("starts attempt 1 with a lease on ProcessingStarted", () => {
      const next = changedTo(uploaded, ev.started)
      assert.strictEqual(next.status, "processing")
      assert.strictEqual(next.attempts, 1)
      assert.strictEqual(next.leaseExpiresAt, 1_500)
      assert.strictEqual(next.dueAt, 1_500)
    })
    it("ignores a duplicate ObjectCreated, stray Processed/ProcessingFailed, LeaseExpired and UploadExpired", () => {
      for (const e of [ev.created, ev.processed(0), ev.failedWith(0), ev.leaseExpired(9_000), ev.uploadExpired(9_000)]) {
        assert.isTrue(isUnchanged(uploaded, e), e._tag)
      }
    })
    it("becomes a due tombstone on Deleted", () => assertTombstone(uploaded))
    it("fails size_mismatch when an original of another size than declared arrives again", () => {
      const next = changedTo({ ...uploaded, declaredSize: 500 }, { ...ev.created, size: 501 })
      assert.strictEqual(next.failureReason, "size_mismatch")
      assert.isTrue(isUnchanged({ ...uploaded, declaredSize: 500 }, ev.created))
    })
  })

  describe("processing", () => {
    it("becomes ready as JPEG with dimensions on the current attempt's Processed", () => {
      const next = changedTo(processing, ev.processed(1))
      assert.strictEqual(next.status, "ready")
      assert.strictEqual(next.contentType, "image/jpeg")
      assert.strictEqual(next.fileSize, 90)
      assert.deepStrictEqual([next.width, next.height], [10, 20])
      assert.isUndefined(next.leaseExpiresAt)
      // Due until its workflow records that the original is gone.
      assert.strictEqual(next.dueAt, 1_300 + cleanupGraceSeconds)
    })
    it("ignores a stale attempt's Processed and ProcessingFailed", () => {
      assert.isTrue(isUnchanged(processing, ev.processed(0)))
      assert.isTrue(isUnchanged(processing, ev.processed(2)))
      assert.isTrue(isUnchanged(processing, ev.failedWith(0)))
    })
    it("goes back to uploaded, due at the retry time, after a transient failure below the attempt limit", () => {
      const next = changedTo(processing, ev.failedWith(1))
      assert.strictEqual(next.status, "uploaded")
      assert.isUndefined(next.leaseExpiresAt)
      assert.strictEqual(next.dueAt, 1_330)
    })
    it("fails processing_error after a transient failure of attempt 3", () => {
      const third = { ...processing, attempts: 3 }
      const next = changedTo(third, ev.failedWith(3))
      assert.strictEqual(next.status, "failed")
      assert.strictEqual(next.failureReason, "processing_error")
    })
    it("fails at once with the processor's reason for a rejected image", () => {
      const next = changedTo(processing, ev.failedWith(1, "corrupt_image"))
      assert.strictEqual(next.failureReason, "corrupt_image")
      assert.strictEqual(next.dueAt, 1_300 + cleanupGraceSeconds)
    })
    it("retries on LeaseExpired only once the lease ran out", () => {
      assert.isTrue(isUnchanged(processing, ev.leaseExpired(1_399)))
      const next = changedTo(processing, ev.leaseExpired(1_400))
      assert.strictEqual(next.status, "uploaded")
      assert.strictEqual(next.dueAt, 1_405)
    })
    it("ignores ObjectCreated, a second ProcessingStarted, UploadExpired and CleanedUp", () => {
      for (const e of [ev.created, ev.started, ev.uploadExpired(9_000), ev.cleanedUp]) {
        assert.isTrue(isUnchanged(processing, e), e._tag)
      }
    })
    it("becomes a due tombstone on Deleted, dropping the lease", () => assertTombstone(processing))
    it("gives the attempt back and waits until the retry time when the store was unavailable", () => {
      const next = changedTo(processing, ev.deferred(1))
      assert.strictEqual(next.status, "uploaded")
      assert.strictEqual(next.attempts, 0)
      assert.strictEqual(next.deferrals, 1)
      assert.strictEqual(next.dueAt, 1_315)
      assert.isUndefined(next.leaseExpiresAt)
      // Even on the last allowed attempt: an outage never fails a file.
      const third = changedTo({ ...processing, attempts: 3, deferrals: 4 }, ev.deferred(3))
      assert.strictEqual(third.status, "uploaded")
      assert.strictEqual(third.attempts, 2)
      assert.strictEqual(third.deferrals, 5)
    })
    it("ignores a stale attempt's ProcessingDeferred", () => {
      assert.isTrue(isUnchanged(processing, ev.deferred(0)))
      assert.isTrue(isUnchanged(processing, ev.deferred(2)))
    })
    it("fails size_mismatch when an original of another size than declared arrives mid-attempt", () => {
      const next = changedTo({ ...processing, declaredSize: 500 }, { ...ev.created, size: 7 })
      assert.strictEqual(next.failureReason, "size_mismatch")
      assert.isUndefined(next.leaseExpiresAt)
    })
  })

  describe.each([["ready", ready], ["failed", failed]] as const)("%s", (_, record) => {
    it("ignores every event but ObjectCreated, Deleted and CleanedUp: a final file never changes", () => {
      const pending = { ...record, dueAt: 1_360 }
      for (const e of [ev.started, ev.processed(1), ev.failedWith(1), ev.deferred(1), ev.leaseExpired(9_000), ev.uploadExpired(9_000)]) {
        assert.isTrue(isUnchanged(record, e), e._tag)
        assert.isTrue(isUnchanged(pending, e), e._tag)
      }
    })
    it("stops being due on CleanedUp, once, and nothing a client sees changes", () => {
      const pending = { ...record, dueAt: 1_360 }
      const o = outcome(pending, ev.cleanedUp)
      if (o._tag !== "Changed") throw new Error(`expected a change, got ${o._tag}`)
      const next = o.record
      assert.deepStrictEqual(next, { ...record, version: record.version + 1 })
      assert.isTrue(isUnchanged(next, ev.cleanedUp))
    })
    it("becomes due for clean-up again when an original arrives (a replayed POST), whatever its size", () => {
      for (const e of [{ ...ev.created, now: 5_000 }, { ...ev.created, now: 5_000, size: 1 }]) {
        const o = outcome(record, e)
        if (o._tag !== "Changed") throw new Error(`expected a change, got ${o._tag}`)
        // Nothing a client sees changes (not even updated_at).
        assert.deepStrictEqual(o.record, { ...record, version: record.version + 1, dueAt: 5_000 + cleanupGraceSeconds })
      }
      // Already due: the pending clean-up removes it.
      assert.isTrue(isUnchanged({ ...record, dueAt: 1_360 }, ev.created))
    })
    it("becomes a due tombstone on Deleted, dropping what only a final file has", () => {
      assertTombstone(record)
      assertTombstone({ ...record, dueAt: 1_360 })
    })
  })

  describe("deleting", () => {
    const tombstone = changedTo(ready, ev.deleted)
    it("is removed by Purged, and by nothing else", () => {
      assert.strictEqual(outcome(tombstone, ev.purged)._tag, "Removed")
      for (const e of [ev.created, ev.started, ev.processed(1), ev.failedWith(1), ev.deferred(1), ev.leaseExpired(9_000), ev.uploadExpired(9_000), ev.deleted, ev.cleanedUp]) {
        assert.isTrue(isUnchanged(tombstone, e), e._tag)
      }
    })
    it("refuses Purged for a file that is not a tombstone", () => {
      for (const record of [uploading, uploaded, processing, ready, failed]) assert.isTrue(isIllegal(record, ev.purged), record.status)
    })
  })

  describe("outageBackoffSeconds", () => {
    it("starts at the base, doubles at each deferral, and stays at the cap", () => {
      const delays = Array.from({ length: 12 }, (_, i) => outageBackoffSeconds(i + 1, 15, 1_800))
      assert.deepStrictEqual(delays, [15, 30, 60, 120, 240, 480, 960, 1_800, 1_800, 1_800, 1_800, 1_800])
      assert.strictEqual(outageBackoffSeconds(10_000, 15, 1_800), 1_800)
    })
  })

  it("has an illegal cell only where an event needs an upload that has not arrived, or purges a live file", () => {
    const illegal = Object.entries(transitions).flatMap(([status, row]) =>
      Object.entries(row).filter(([, rule]) => rule === "illegal").map(([event]) => `${status}+${event}`)
    )
    assert.deepStrictEqual(illegal.sort(), [
      "failed+Purged",
      "processing+Purged",
      "ready+Purged",
      "uploaded+Purged",
      "uploading+LeaseExpired",
      "uploading+Processed",
      "uploading+ProcessingDeferred",
      "uploading+ProcessingFailed",
      "uploading+ProcessingStarted",
      "uploading+Purged"
    ])
  })
})
