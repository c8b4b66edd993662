/**
 * Ties every cell of the `transitions` table to what `apply` does: for each
 * status × event, the rule in the cell predicts the outcome (a target status,
 * Removed, Unchanged, a same-status rule, or IllegalTransition), and a guarded
 * move whose guard does not hold changes nothing.
 */
import { assert, describe, it } from "@effect/vitest"
import { Result } from "effect"
import { type FileRecord, fileStatuses, type FileStatus } from "../src/FileRecord.ts"
import { apply, type FileEvent, type FileEventTag, maxAttempts, type Outcome, type Rule, transitions } from "../src/FileState.ts"
import { uploadingRecord } from "./fixtures.ts"

const now = 5_000
const declared = 500

/** A record in `status` for which every guard holds: its lease and upload window ran out, it is due. */
const recordIn = (status: FileStatus, patch: Partial<FileRecord> = {}): FileRecord => {
  const base = uploadingRecord({ declaredSize: declared, dueAt: 4_000, version: 3 })
  const { dueAt: _d, ...settled } = base
  switch (status) {
    case "uploading":
      return { ...base, ...patch }
    case "uploaded":
      return { ...base, status, fileSize: declared, ...patch }
    case "processing":
      return { ...base, status, fileSize: declared, attempts: 1, leaseExpiresAt: 4_000, ...patch }
    case "ready":
      return { ...settled, status, attempts: 1, contentType: "image/jpeg", width: 1, height: 1, ...patch }
    case "failed":
      return { ...settled, status, attempts: 1, failureReason: "corrupt_image", ...patch }
    case "deleting":
      return { ...base, status, ...patch }
  }
}

/** An event of each kind whose guards hold for `record` (the current attempt, the declared size, after every deadline). */
const eventFor = (tag: FileEventTag, record: FileRecord, size = declared): FileEvent => {
  switch (tag) {
    case "ObjectCreated":
      return { _tag: tag, now, size, redispatchAt: now + 60 }
    case "ProcessingStarted":
      return { _tag: tag, now, leaseUntil: now + 300 }
    case "Processed":
      return { _tag: tag, now, attempt: record.attempts, size: 90, width: 10, height: 20 }
    case "ProcessingFailed":
      return { _tag: tag, now, attempt: record.attempts, reason: "processing_error", retryAt: now + 15 }
    case "ProcessingDeferred":
      return { _tag: tag, now, attempt: record.attempts, retryAt: now + 15 }
    case "LeaseExpired":
      return { _tag: tag, now, redispatchAt: now + 5 }
    case "UploadExpired":
      return { _tag: tag, now }
    case "Deleted":
      return { _tag: tag, now }
    case "Purged":
      return { _tag: tag, now }
    case "CleanedUp":
      return { _tag: tag, now }
  }
}

const eventTags: ReadonlyArray<FileEventTag> = [
  "ObjectCreated", "ProcessingStarted", "Processed", "ProcessingFailed", "ProcessingDeferred", "LeaseExpired",
  "UploadExpired", "Deleted", "Purged", "CleanedUp"
]

/** What `apply` came to, in the table's words. */
const describeOutcome = (record: FileRecord, result: Result.Result<Outcome, unknown>): string => {
  if (Result.isFailure(result)) return "illegal"
  const outcome = result.success
  if (outcome._tag !== "Changed") return outcome._tag
  const next = outcome.record
  if (next.status !== record.status) return `→ ${next.status}${next.failureReason ? `/${next.failureReason}` : ""}`
  return next.dueAt === undefined ? "same, not due" : "same, due"
}

/** What each rule predicts for a record and event whose guards hold (the record as `recordIn` makes it). */
const predicted = (rule: Rule, status: FileStatus): string => {
  switch (rule) {
    case "illegal":
      return "illegal"
    case "noop":
      return "Unchanged"
    case "removed":
      return "Removed"
    case "settled":
      return "same, not due"
    case "due-again":
      return "same, due"
    case "size-check":
      return "Unchanged"
    case "retry-or-failed":
      return "→ uploaded"
    case "failed":
      return status === "uploading" ? "→ failed/upload_expired" : "→ failed"
    default:
      return `→ ${rule}`
  }
}

/** The record a cell is checked against: a final file's clean-up pending for CleanedUp, already done otherwise. */
const subject = (status: FileStatus, tag: FileEventTag): FileRecord =>
  tag === "CleanedUp" && (status === "ready" || status === "failed") ? recordIn(status, { dueAt: 4_000 }) : recordIn(status)

describe("FileState.transitions drives apply", () => {
  const cells = fileStatuses.flatMap((status) => eventTags.map((tag) => ({ status, tag })))

  it.each(cells)("$status + $tag: the cell predicts the outcome", ({ status, tag }) => {
    const record = subject(status, tag)
    const rule = transitions[status][tag]
    assert.strictEqual(describeOutcome(record, apply(record, eventFor(tag, record))), predicted(rule, status), `rule ${rule}`)
  })

  it.each(cells)("$status + $tag: a target status is exactly the status written", ({ status, tag }) => {
    const record = subject(status, tag)
    const rule = transitions[status][tag]
    const result = apply(record, eventFor(tag, record))
    if (fileStatuses.some((s) => s === rule) && Result.isSuccess(result) && result.success._tag === "Changed") {
      assert.strictEqual(result.success.record.status, rule)
    }
  })

  it("retry-or-failed fails the file once no attempt is left", () => {
    const last = recordIn("processing", { attempts: maxAttempts })
    for (const tag of ["ProcessingFailed", "LeaseExpired"] as const) {
      assert.strictEqual(transitions.processing[tag], "retry-or-failed")
      assert.strictEqual(describeOutcome(last, apply(last, eventFor(tag, last))), "→ failed/processing_error", tag)
    }
  })

  it("size-check and an arrival while uploading fail size_mismatch for a size other than the declared one", () => {
    for (const status of ["uploading", "uploaded", "processing"] as const) {
      const record = recordIn(status)
      assert.include(["uploaded", "size-check"], transitions[status].ObjectCreated)
      assert.strictEqual(describeOutcome(record, apply(record, eventFor("ObjectCreated", record, declared + 1))), "→ failed/size_mismatch", status)
    }
  })

  it("a guarded move whose guard does not hold changes nothing", () => {
    const stale: ReadonlyArray<readonly [FileStatus, FileEvent, Partial<FileRecord>]> = [
      ["processing", { _tag: "Processed", now, attempt: 2, size: 1, width: 1, height: 1 }, {}],
      ["processing", { _tag: "ProcessingFailed", now, attempt: 0, reason: "processing_error", retryAt: now }, {}],
      ["processing", { _tag: "ProcessingDeferred", now, attempt: 2, retryAt: now }, {}],
      ["processing", { _tag: "LeaseExpired", now: 3_999, redispatchAt: now }, {}],
      ["uploading", { _tag: "UploadExpired", now: 3_999 }, {}],
      ["ready", { _tag: "CleanedUp", now }, {}],
      ["failed", { _tag: "CleanedUp", now }, {}],
      ["ready", { _tag: "ObjectCreated", now, size: 1, redispatchAt: now }, { dueAt: 4_000 }],
      ["failed", { _tag: "ObjectCreated", now, size: 1, redispatchAt: now }, { dueAt: 4_000 }]
    ]
    for (const [status, event, patch] of stale) {
      const rule = transitions[status][event._tag]
      assert.notInclude(["noop", "illegal"], rule, `${status} + ${event._tag} is guarded`)
      const record = recordIn(status, patch)
      assert.strictEqual(describeOutcome(record, apply(record, event)), "Unchanged", `${status} + ${event._tag}`)
    }
  })
})
