/**
 * The file lifecycle as data: a transition table you can read, and one pure
 * function that applies an event to a record. Storage delivers events at least
 * once and out of order, so an event that already happened (or lost a race) is
 * a no-op, and only events that cannot happen in a correct system are errors.
 */
import { Result, Schema } from "effect"
import type { FailureReason, FileRecord, FileStatus } from "./FileRecord.ts"
import { processedContentType } from "./ContentType.ts"

/** SPEC §6: after this many started attempts, a file fails with `processing_error`. */
export const maxAttempts = 3

/**
 * A file that just became final stays due this long: its workflow removes the
 * original and any stale derivatives, then records `CleanedUp`. If the process
 * dies in between, the sweeper finds the file due and finishes the clean-up, so
 * an original (which carries the metadata we promise to strip) is never kept.
 */
export const cleanupGraceSeconds = 60

/**
 * What can happen to a file (SPEC §6), as storage, processors, the sweeper and clients report it. `now`
 * and every other time are UNIX seconds, sizes bytes, dimensions pixels; `attempt` names the processing
 * attempt an outcome belongs to (an outcome of another attempt is stale and a no-op).
 */
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

/** The `_tag` of a `FileEvent`. */
export type FileEventTag = FileEvent["_tag"]

/**
 * What an event may do, column by column: move the file to a target status (the status named), or
 * "removed" (the record goes), "settled" (same status, no longer due), "due-again" (same status, due
 * for clean-up: an original arrived for a final file), "size-check" (`failed`/`size_mismatch` if the
 * stored size differs from the declared one, else nothing), "retry-or-failed" (back to `uploaded` for
 * another attempt, or `failed` when no attempt is left or the failure is final). Every column may also
 * hold "noop" (a duplicate, a stale attempt, or a lost race) or "illegal" (cannot happen in a correct
 * system). A target's guard (the event's attempt is the current one, the lease or the upload window
 * ran out, the size is the declared one) makes a stale or premature event a no-op instead; an upload
 * of the wrong size goes to `failed` instead of `uploaded`.
 */
export interface RulesByEvent {
  readonly ObjectCreated: "uploaded" | "size-check" | "due-again"
  readonly ProcessingStarted: "processing"
  readonly Processed: "ready"
  readonly ProcessingFailed: "retry-or-failed"
  readonly ProcessingDeferred: "uploaded"
  readonly LeaseExpired: "retry-or-failed"
  readonly UploadExpired: "failed"
  readonly Deleted: "deleting"
  readonly Purged: "removed"
  readonly CleanedUp: "settled"
}

/** One cell of the table: what event `E` does in some status. */
export type Cell<E extends FileEventTag> = RulesByEvent[E] | "noop" | "illegal"

/** Any cell. */
export type Rule = Cell<FileEventTag>

const finalRow = {
  ObjectCreated: "due-again", ProcessingStarted: "noop", Processed: "noop", ProcessingFailed: "noop",
  ProcessingDeferred: "noop", LeaseExpired: "noop", UploadExpired: "noop", Deleted: "deleting", Purged: "illegal",
  CleanedUp: "settled"
} as const

/** The lifecycle: for each status, what each event does (the rule `apply` follows). */
export const transitions: { readonly [S in FileStatus]: { readonly [E in FileEventTag]: Cell<E> } } = {
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

/**
 * An event that cannot happen in a correct system in the record's status (an "illegal" cell of
 * `transitions`): `from` is the status, `event` the event's tag.
 */
export class IllegalTransition extends Schema.TaggedError<IllegalTransition>()("IllegalTransition", {
  from: Schema.String,
  event: Schema.String
}) {}

/**
 * What `apply` decided: `Changed` (write `record`, whose `version` is one more), `Unchanged` (a duplicate,
 * stale or premature event: write nothing), `Removed` (delete the record).
 */
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

type EventOf<E extends FileEventTag> = Extract<FileEvent, { readonly _tag: E }>

const sizeMismatch = (record: FileRecord, event: EventOf<"ObjectCreated">): Outcome =>
  failed(record, event.now, "size_mismatch", { fileSize: event.size })

const objectCreated = (record: FileRecord, event: EventOf<"ObjectCreated">, rule: RulesByEvent["ObjectCreated"]): Outcome => {
  switch (rule) {
    case "due-again":
      // A replayed POST stored bytes again: the file is due until they are deleted and that is recorded.
      // Already due: the pending clean-up removes them. Nothing a client sees changes (not even updated_at).
      if (record.dueAt !== undefined) return unchanged
      return changed(record, record.updatedAt, { dueAt: event.now + cleanupGraceSeconds }, [])
    case "size-check":
      return sizeDiffers(record, event.size) ? sizeMismatch(record, event) : unchanged
    case "uploaded":
      if (sizeDiffers(record, event.size)) return sizeMismatch(record, event)
      return changed(record, event.now, { status: rule, fileSize: event.size, dueAt: event.redispatchAt }, [])
  }
}

const processingStarted = (record: FileRecord, event: EventOf<"ProcessingStarted">, rule: RulesByEvent["ProcessingStarted"]): Outcome =>
  changed(record, event.now, {
    status: rule,
    attempts: record.attempts + 1,
    leaseExpiresAt: event.leaseUntil,
    dueAt: event.leaseUntil
  }, [])

const processed = (record: FileRecord, event: EventOf<"Processed">, rule: RulesByEvent["Processed"]): Outcome => {
  if (event.attempt !== record.attempts) return unchanged
  return changed(record, event.now, {
    status: rule,
    contentType: processedContentType,
    fileSize: event.size,
    width: event.width,
    height: event.height,
    dueAt: event.now + cleanupGraceSeconds
  }, ["leaseExpiresAt"])
}

const processingFailed = (record: FileRecord, event: EventOf<"ProcessingFailed">, _: RulesByEvent["ProcessingFailed"]): Outcome =>
  event.attempt !== record.attempts ? unchanged : retryOrFail(record, event.now, event.retryAt, event.reason)

const processingDeferred = (record: FileRecord, event: EventOf<"ProcessingDeferred">, rule: RulesByEvent["ProcessingDeferred"]): Outcome => {
  if (event.attempt !== record.attempts) return unchanged
  return changed(record, event.now, {
    status: rule,
    attempts: record.attempts - 1,
    deferrals: (record.deferrals ?? 0) + 1,
    dueAt: event.retryAt
  }, ["leaseExpiresAt"])
}

const leaseExpired = (record: FileRecord, event: EventOf<"LeaseExpired">, _: RulesByEvent["LeaseExpired"]): Outcome => {
  if (record.leaseExpiresAt === undefined || event.now < record.leaseExpiresAt) return unchanged
  return retryOrFail(record, event.now, event.redispatchAt, "processing_error")
}

const uploadExpired = (record: FileRecord, event: EventOf<"UploadExpired">, _: RulesByEvent["UploadExpired"]): Outcome => {
  if (record.dueAt === undefined || event.now < record.dueAt) return unchanged
  return failed(record, event.now, "upload_expired")
}

// Due at once: whoever deleted it removes the objects now; if that fails, the sweeper retries.
const deleted = (record: FileRecord, event: EventOf<"Deleted">, rule: RulesByEvent["Deleted"]): Outcome =>
  changed(record, event.now, { status: rule, dueAt: event.now }, ["leaseExpiresAt", "failureReason", "width", "height"])

const purged = (_record: FileRecord, _event: EventOf<"Purged">, _rule: RulesByEvent["Purged"]): Outcome => ({ _tag: "Removed" })

// Nothing a client sees changed: the version moves on, `updatedAt` stays.
const cleanedUp = (record: FileRecord, _event: EventOf<"CleanedUp">, _: RulesByEvent["CleanedUp"]): Outcome =>
  record.dueAt === undefined ? unchanged : changed(record, record.updatedAt, {}, ["dueAt"])

/** Follows one cell: "illegal" is an error, "noop" is no change, any other rule is the event's move. */
const follow = <E extends FileEventTag>(
  record: FileRecord,
  event: EventOf<E>,
  cell: Cell<E>,
  move: (record: FileRecord, event: EventOf<E>, rule: RulesByEvent[E]) => Outcome
): Result.Result<Outcome, IllegalTransition> => {
  if (cell === "illegal") return Result.fail(new IllegalTransition({ from: record.status, event: event._tag }))
  if (cell === "noop") return Result.succeed(unchanged)
  return Result.succeed(move(record, event, cell))
}

/**
 * Applies one event by the rule its cell of `transitions` holds. Guards make stale or premature events
 * no-ops (`Unchanged`). Fails `IllegalTransition` for an "illegal" cell. Pure: the caller writes the outcome.
 */
export const apply = (record: FileRecord, event: FileEvent): Result.Result<Outcome, IllegalTransition> => {
  const row = transitions[record.status]
  switch (event._tag) {
    case "ObjectCreated":
      return follow(record, event, row.ObjectCreated, objectCreated)
    case "ProcessingStarted":
      return follow(record, event, row.ProcessingStarted, processingStarted)
    case "Processed":
      return follow(record, event, row.Processed, processed)
    case "ProcessingFailed":
      return follow(record, event, row.ProcessingFailed, processingFailed)
    case "ProcessingDeferred":
      return follow(record, event, row.ProcessingDeferred, processingDeferred)
    case "LeaseExpired":
      return follow(record, event, row.LeaseExpired, leaseExpired)
    case "UploadExpired":
      return follow(record, event, row.UploadExpired, uploadExpired)
    case "Deleted":
      return follow(record, event, row.Deleted, deleted)
    case "Purged":
      return follow(record, event, row.Purged, purged)
    case "CleanedUp":
      return follow(record, event, row.CleanedUp, cleanedUp)
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
  if (record.status === "ready" && record.contentType !== processedContentType) problems.push("ready but not JPEG")
  if (record.attempts < 0) problems.push("negative attempts")
  return problems
}
