import { assert, describe, it } from "@effect/vitest"
import { Result } from "effect"
import type { FileRecord } from "../src/FileRecord.ts"
import { apply, cleanupGraceSeconds, type FileEvent, type Outcome, transitions } from "../src/FileState.ts"
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
  deleted: { _tag: "Deleted", now: 1_300 },
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
    it("is removed by Deleted", () => assert.strictEqual(outcome(uploading, ev.deleted)._tag, "Removed"))
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
    it("is removed by Deleted", () => assert.strictEqual(outcome(uploaded, ev.deleted)._tag, "Removed"))
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
    it("is removed by Deleted", () => assert.strictEqual(outcome(processing, ev.deleted)._tag, "Removed"))
  })

  describe.each([["ready", ready], ["failed", failed]] as const)("%s", (_, record) => {
    it("ignores every event but Deleted and CleanedUp: a final file never changes", () => {
      const pending = { ...record, dueAt: 1_360 }
      for (const e of [ev.created, ev.started, ev.processed(1), ev.failedWith(1), ev.leaseExpired(9_000), ev.uploadExpired(9_000)]) {
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
    it("is removed by Deleted", () => assert.strictEqual(outcome(record, ev.deleted)._tag, "Removed"))
  })

  it("has an illegal cell only where an event needs an upload that has not arrived", () => {
    const illegal = Object.entries(transitions).flatMap(([status, row]) =>
      Object.entries(row).filter(([, rule]) => rule === "illegal").map(([event]) => `${status}+${event}`)
    )
    assert.deepStrictEqual(illegal.sort(), [
      "uploading+LeaseExpired",
      "uploading+Processed",
      "uploading+ProcessingFailed",
      "uploading+ProcessingStarted"
    ])
  })
})
