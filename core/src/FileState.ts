/**
 * The file lifecycle as data: a transition table you can read, and one pure
 * function that applies an event to a record. Storage delivers events at least
 * once and out of order, so an event that already happened (or lost a race) is
 * a no-op, and only events that cannot happen in a correct system are errors.
 */
import { Result, Schema } from "effect"
import type { FailureReason, FileRecord, FileStatus } from "./FileRecord.ts"

/** SPEC §6: after this many started attempts, a file fails with `processing_error`. */
export const maxAttempts = 3

/**
 * A file that just became final stays due this long: its workflow removes the
 * original and any stale derivatives, then records `CleanedUp`. If the process
 * dies in between, the sweeper finds the file due and finishes the clean-up, so
 * an original (which carries the metadata we promise to strip) is never kept.
 */
export const cleanupGraceSeconds = 60

export type FileEvent =
  /** Storage holds an original for the file (an upload, or a replay of its pre-signed POST). */
  | { readonly _tag: "ObjectCreated"; readonly now: number; readonly size: number; readonly redispatchAt: number }
  | { readonly _tag: "ProcessingStarted"; readonly now: number; readonly leaseUntil: number }
  | {
    readonly _tag: "Processed"
    readonly now: number
    readonly attempt: number
    readonly size: number
    readonly width: number
    readonly height: number
  }
  | {
    readonly _tag: "ProcessingFailed"
    readonly now: number
    readonly attempt: number
    readonly reason: FailureReason
    /** When a transient failure may be retried (the file's next `dueAt`). */
    readonly retryAt: number
  }
  /**
   * The attempt could not reach the object store (or database): not a failure of the image work, so the
   * attempt is given back and the file waits until `retryAt` (SPEC §6: an outage is not an attempt).
   */
  | { readonly _tag: "ProcessingDeferred"; readonly now: number; readonly attempt: number; readonly retryAt: number }
  | { readonly _tag: "LeaseExpired"; readonly now: number; readonly redispatchAt: number }
  | { readonly _tag: "UploadExpired"; readonly now: number }
  /** A client deleted the file: it becomes a `deleting` tombstone until every object is gone. */
  | { readonly _tag: "Deleted"; readonly now: number }
  /** Every object of a tombstoned file is gone: the record goes too. */
  | { readonly _tag: "Purged"; readonly now: number }
  /** The original and stale derivatives of a final file are gone: it is no longer due. */
  | { readonly _tag: "CleanedUp"; readonly now: number }

export type FileEventTag = FileEvent["_tag"]

/**
 * What each event does in each status: a target ("→ status"), "removed" (the record goes),
 * "settled" (same status, no longer due), "due-again" (same status, due for clean-up: an original
 * arrived for a final file), "size-check" (`failed`/`size_mismatch` if the stored size differs from
 * the declared one, else nothing), "noop" (a duplicate, a stale attempt, or a lost race), or
 * "illegal". Targets marked with a guard in `apply` fall back to "noop" when the guard does not hold
 * (ObjectCreated on an upload of the wrong size goes to `failed` instead of `uploaded`).
 */
export type Rule = FileStatus | "removed" | "retry-or-failed" | "settled" | "due-again" | "size-check" | "noop" | "illegal"

const finalRow = {
  ObjectCreated: "due-again", ProcessingStarted: "noop", Processed: "noop", ProcessingFailed: "noop",
  ProcessingDeferred: "noop", LeaseExpired: "noop", UploadExpired: "noop", Deleted: "deleting", Purged: "illegal",
  CleanedUp: "settled"
} as const

export const transitions: { readonly [S in FileStatus]: { readonly [E in FileEventTag]: Rule } } = {
  uploading: {
    ObjectCreated: "uploaded", ProcessingStarted: "illegal", Processed: "illegal", ProcessingFailed: "illegal",
    ProcessingDeferred: "illegal", LeaseExpired: "illegal", UploadExpired: "failed", Deleted: "deleting",
    Purged: "illegal", CleanedUp: "noop"
  },
  uploaded: {
    ObjectCreated: "size-check", ProcessingStarted: "processing", Processed: "noop", ProcessingFailed: "noop",
    ProcessingDeferred: "noop", LeaseExpired: "noop", UploadExpired: "noop", Deleted: "deleting", Purged: "illegal",
    CleanedUp: "noop"
  },
  processing: {
    ObjectCreated: "size-check", ProcessingStarted: "noop", Processed: "ready", ProcessingFailed: "retry-or-failed",
    ProcessingDeferred: "uploaded", LeaseExpired: "retry-or-failed", UploadExpired: "noop", Deleted: "deleting",
    Purged: "illegal", CleanedUp: "noop"
  },
  ready: finalRow,
  failed: finalRow,
  // A tombstone only waits for its objects to go; nothing else can bring it back.
  deleting: {
    ObjectCreated: "noop", ProcessingStarted: "noop", Processed: "noop", ProcessingFailed: "noop",
    ProcessingDeferred: "noop", LeaseExpired: "noop", UploadExpired: "noop", Deleted: "noop", Purged: "removed",
    CleanedUp: "noop"
  }
}

export class IllegalTransition extends Schema.TaggedError<IllegalTransition>()("IllegalTransition", {
  from: Schema.String,
  event: Schema.String
}) {}

export type Outcome =
  | { readonly _tag: "Changed"; readonly record: FileRecord }
  | { readonly _tag: "Unchanged" }
  | { readonly _tag: "Removed" }

const unchanged: Outcome = { _tag: "Unchanged" }

type Droppable = "leaseExpiresAt" | "dueAt" | "failureReason" | "width" | "height"

const changed = (record: FileRecord, now: number, patch: Partial<FileRecord>, drop: ReadonlyArray<Droppable>): Outcome => {
  const next: Record<string, unknown> = { ...record, ...patch, version: record.version + 1, updatedAt: now }
  for (const key of drop) delete next[key]
  return { _tag: "Changed", record: next as FileRecord }
}

const failed = (record: FileRecord, now: number, reason: FailureReason, patch: Partial<FileRecord> = {}): Outcome =>
  changed(record, now, { ...patch, status: "failed", failureReason: reason, dueAt: now + cleanupGraceSeconds }, [
    "leaseExpiresAt"
  ])

const retryOrFail = (record: FileRecord, now: number, redispatchAt: number, reason: FailureReason): Outcome =>
  reason === "processing_error" && record.attempts < maxAttempts
    ? changed(record, now, { status: "uploaded", dueAt: redispatchAt }, ["leaseExpiresAt"])
    : failed(record, now, reason)

/** Defence in depth: the policy admits exactly the declared size, so any other stored size is refused. */
const sizeDiffers = (record: FileRecord, size: number): boolean =>
  record.declaredSize !== undefined && record.declaredSize !== size

/**
 * How long processing waits after the store or database was unavailable for the `deferrals`-th time
 * in a row: `base` doubled each time, capped at `cap` (SPEC §6: capped exponential back-off).
 */
export const outageBackoffSeconds = (deferrals: number, base: number, cap: number): number =>
  Math.min(cap, base * 2 ** Math.min(Math.max(0, deferrals - 1), 30))

/** Applies one event. Guards make stale or premature events no-ops. */
export const apply = (record: FileRecord, event: FileEvent): Result.Result<Outcome, IllegalTransition> => {
  const rule = transitions[record.status][event._tag]
  if (rule === "illegal") return Result.fail(new IllegalTransition({ from: record.status, event: event._tag }))
  if (rule === "noop") return Result.succeed(unchanged)
  if (rule === "removed") return Result.succeed({ _tag: "Removed" })
  switch (event._tag) {
    case "ObjectCreated":
      if (rule === "due-again") {
        // A replayed POST stored bytes again: the file is due until they are deleted and that is recorded.
        if (record.dueAt !== undefined) return Result.succeed(unchanged)
        return Result.succeed(changed(record, record.updatedAt, { dueAt: event.now + cleanupGraceSeconds }, []))
      }
      if (sizeDiffers(record, event.size)) {
        return Result.succeed(failed(record, event.now, "size_mismatch", { fileSize: event.size }))
      }
      if (rule === "size-check") return Result.succeed(unchanged)
      return Result.succeed(
        changed(record, event.now, { status: "uploaded", fileSize: event.size, dueAt: event.redispatchAt }, [])
      )
    case "ProcessingStarted":
      return Result.succeed(
        changed(record, event.now, {
          status: "processing",
          attempts: record.attempts + 1,
          leaseExpiresAt: event.leaseUntil,
          dueAt: event.leaseUntil
        }, [])
      )
    case "Processed":
      if (event.attempt !== record.attempts) return Result.succeed(unchanged)
      return Result.succeed(
        changed(record, event.now, {
          status: "ready",
          contentType: "image/jpeg",
          fileSize: event.size,
          width: event.width,
          height: event.height,
          dueAt: event.now + cleanupGraceSeconds
        }, ["leaseExpiresAt"])
      )
    case "ProcessingFailed":
      if (event.attempt !== record.attempts) return Result.succeed(unchanged)
      return Result.succeed(retryOrFail(record, event.now, event.retryAt, event.reason))
    case "ProcessingDeferred":
      if (event.attempt !== record.attempts) return Result.succeed(unchanged)
      return Result.succeed(
        changed(record, event.now, {
          status: "uploaded",
          attempts: record.attempts - 1,
          deferrals: (record.deferrals ?? 0) + 1,
          dueAt: event.retryAt
        }, ["leaseExpiresAt"])
      )
    case "LeaseExpired":
      if (record.leaseExpiresAt === undefined || event.now < record.leaseExpiresAt) return Result.succeed(unchanged)
      return Result.succeed(retryOrFail(record, event.now, event.redispatchAt, "processing_error"))
    case "UploadExpired":
      if (record.dueAt === undefined || event.now < record.dueAt) return Result.succeed(unchanged)
      return Result.succeed(failed(record, event.now, "upload_expired"))
    case "Deleted":
      // Due at once: whoever deleted it removes the objects now; if that fails, the sweeper retries.
      return Result.succeed(
        changed(record, event.now, { status: "deleting", dueAt: event.now }, [
          "leaseExpiresAt",
          "failureReason",
          "width",
          "height"
        ])
      )
    case "Purged":
      return Result.succeed({ _tag: "Removed" })
    case "CleanedUp": {
      if (record.dueAt === undefined) return Result.succeed(unchanged)
      // Nothing a client sees changed: the version moves on, `updatedAt` stays.
      return Result.succeed(changed(record, record.updatedAt, {}, ["dueAt"]))
    }
  }
}

/** The invariants every reachable record satisfies; the property tests check them after every event. */
export const invariantViolations = (record: FileRecord): ReadonlyArray<string> => {
  const problems: Array<string> = []
  const has = (k: keyof FileRecord) => record[k] !== undefined
  if (record.attempts > maxAttempts) problems.push("more attempts than allowed")
  if ((record.status === "ready") !== (has("width") && has("height"))) problems.push("dimensions iff ready")
  if ((record.status === "failed") !== has("failureReason")) problems.push("failure reason iff failed")
  if ((record.status === "processing") !== has("leaseExpiresAt")) problems.push("lease iff processing")
  // A final file is due only until its clean-up is recorded; every other file (tombstones too) is always due.
  if (record.status !== "ready" && record.status !== "failed" && !has("dueAt")) problems.push("moving but not due")
  if (record.status === "processing" && record.attempts < 1) problems.push("processing without an attempt")
  if (record.status === "ready" && record.contentType !== "image/jpeg") problems.push("ready but not JPEG")
  if (record.attempts < 0) problems.push("negative attempts")
  return problems
}
