/**
 * Use case: the processing workflow (SPEC §6), started by an arrival (an
 * `ObjectArrived` from storage) and by the sweeper. Every step is one
 * conditional write on the record, so it is safe under duplicate, reordered
 * and concurrent delivery and under crashes: whoever loses a write reads again,
 * and an attempt that lost its file removes what it wrote.
 */
import { Effect, Option } from "effect"
import { type FileRecord, isFinal, type VisibleStatus } from "../FileRecord.ts"
import type { AccountId, FileId } from "../Ids.ts"
import { MediaConfig } from "../MediaConfig.ts"
import { nowSeconds } from "../nowSeconds.ts"
import { ObjectArrived } from "../ObjectArrived.ts"
import { originalKey } from "../ObjectKeys.ts"
import { FileRepository, type RepositoryError } from "../ports/FileRepository.ts"
import type { ImageProcessor } from "../ports/ImageProcessor.ts"
import { ObjectStore, type StorageError } from "../ports/ObjectStore.ts"
import { commitEvent } from "./commitEvent.ts"
import { purge } from "./DeleteFile.ts"
import { removeDerivatives, runAttempt, staleAttempts } from "./ProcessingAttempt.ts"

/** Where a file stands after the workflow ran: its status, or "gone" (deleted, or never ours). */
export type DriveResult = VisibleStatus | "gone"

/** What the workflow fails with: the database or the object store could not be reached. */
export type WorkflowError = RepositoryError | StorageError

/** Every port the workflow uses. */
export type WorkflowPorts = FileRepository | ObjectStore | ImageProcessor

/**
 * Where one step left the file: `Stop` (it stays where it is until an event or the sweeper moves it), or
 * `Next` (it moved: `known` is the record as written, or none when a write was lost or nothing was
 * written, so the next step reads it again).
 */
type Step =
  | { readonly _tag: "Stop"; readonly result: DriveResult }
  | { readonly _tag: "Next"; readonly known: Option.Option<FileRecord> }

const stop = (result: DriveResult): Step => ({ _tag: "Stop", result })
const next = (known: Option.Option<FileRecord>): Step => ({ _tag: "Next", known })

/** Each step makes one transition or stops; 3 attempts need fewer than this. */
const maxSteps = 16

/** A tombstone is "gone" to whoever asks. */
const resultOf = (record: FileRecord): DriveResult => record.status === "deleting" ? "gone" : record.status

/**
 * The one place an arrival is written (the `ObjectCreated` event): `uploading → uploaded` (or
 * `failed/size_mismatch`), a final file due again for clean-up (a replayed POST), a size check on an
 * upload already recorded. The record as written, or none (nothing to write, or a lost race).
 */
const commitArrival = Effect.fnUntraced(function*(
  record: FileRecord,
  arrival: ObjectArrived
): Effect.fn.Return<Option.Option<FileRecord>, RepositoryError, FileRepository> {
  const now = yield* nowSeconds
  const { redispatchAfterSeconds } = yield* MediaConfig
  return yield* commitEvent(record, {
    _tag: "ObjectCreated",
    now,
    size: arrival.size,
    redispatchAt: now + redispatchAfterSeconds
  })
})

/** Deleted, or never ours: an original without a live record must not linger, and nothing may serve it. */
const removeOriginal = Effect.fnUntraced(function*(
  accountId: AccountId,
  fileId: FileId
): Effect.fn.Return<DriveResult, StorageError, ObjectStore> {
  yield* (yield* ObjectStore).delete(originalKey(accountId, fileId))
  return "gone"
})

/** The original as storage holds it now, as an arrival; none when it is not there. */
const storedOriginal = Effect.fnUntraced(function*(
  record: FileRecord
): Effect.fn.Return<Option.Option<ObjectArrived>, StorageError, ObjectStore> {
  const info = yield* (yield* ObjectStore).head(originalKey(record.accountId, record.fileId))
  return Option.map(info, ({ size }) => new ObjectArrived({ accountId: record.accountId, fileId: record.fileId, size }))
})

/** Still uploading: the event may have been lost, so storage says whether the original arrived. */
const whenUploading = Effect.fnUntraced(function*(
  record: FileRecord
): Effect.fn.Return<Step, WorkflowError, FileRepository | ObjectStore> {
  const arrived = yield* storedOriginal(record)
  if (Option.isNone(arrived)) return stop("uploading")
  return next(yield* commitArrival(record, arrived.value))
})

/** Uploaded: start an attempt (unless it is backing off) and run it. */
const whenUploaded = Effect.fnUntraced(function*(
  record: FileRecord,
  now: number
): Effect.fn.Return<Step, WorkflowError, WorkflowPorts> {
  // Backing off after a transient failure or an outage: the sweeper retries it when due, whoever calls now.
  const backingOff = record.attempts > 0 || (record.deferrals ?? 0) > 0
  if (backingOff && record.dueAt !== undefined && now < record.dueAt) return stop("uploaded")
  const { leaseSeconds } = yield* MediaConfig
  const started = yield* commitEvent(record, { _tag: "ProcessingStarted", now, leaseUntil: now + leaseSeconds })
  if (Option.isNone(started)) return next(started)
  return next(yield* runAttempt(started.value))
})

/** Processing: another attempt holds a live lease (it will finish, or the sweeper retries after), or it expired. */
const whenProcessing = Effect.fnUntraced(function*(
  record: FileRecord,
  now: number
): Effect.fn.Return<Step, RepositoryError, FileRepository> {
  if (record.leaseExpiresAt !== undefined && now < record.leaseExpiresAt) return stop("processing")
  return next(yield* commitEvent(record, { _tag: "LeaseExpired", now, redispatchAt: now }))
})

/**
 * Ready or failed: originals carry the metadata we promise to strip, so none is kept past the end. The
 * file stays due until its clean-up is recorded (`CleanedUp`), so a crash in between leaves it to the
 * sweeper. Once cleaned up, a replayed pre-signed POST may store an original again: that is an arrival,
 * recorded first (so a crash cannot forget it), then removed.
 */
const whenFinal = Effect.fnUntraced(function*(
  record: FileRecord,
  status: "ready" | "failed",
  now: number
): Effect.fn.Return<Step, WorkflowError, FileRepository | ObjectStore> {
  if (record.dueAt === undefined) {
    const arrived = yield* storedOriginal(record)
    if (Option.isNone(arrived)) return stop(status)
    return next(yield* commitArrival(record, arrived.value))
  }
  yield* (yield* ObjectStore).delete(originalKey(record.accountId, record.fileId))
  yield* removeDerivatives(record, staleAttempts(record))
  yield* commitEvent(record, { _tag: "CleanedUp", now })
  return stop(status)
})

/** One step from the record as last known (read again when none). */
const step = Effect.fnUntraced(function*(
  accountId: AccountId,
  fileId: FileId,
  known: Option.Option<FileRecord>
): Effect.fn.Return<Step, WorkflowError, WorkflowPorts> {
  const found = Option.isSome(known) ? known : yield* (yield* FileRepository).get(accountId, fileId)
  if (Option.isNone(found)) return stop(yield* removeOriginal(accountId, fileId))
  const record = found.value
  const now = yield* nowSeconds
  switch (record.status) {
    case "uploading":
      return yield* whenUploading(record)
    case "uploaded":
      return yield* whenUploaded(record, now)
    case "processing":
      return yield* whenProcessing(record, now)
    case "ready":
    case "failed":
      return yield* whenFinal(record, record.status, now)
    case "deleting":
      // A DELETE that did not finish (or is finishing now): every object goes, then the record.
      yield* purge(record)
      return stop("gone")
  }
})

/** Where the file stands, read afresh (when the steps ran out). */
const standing = Effect.fnUntraced(function*(
  accountId: AccountId,
  fileId: FileId
): Effect.fn.Return<DriveResult, RepositoryError, FileRepository> {
  const found = yield* (yield* FileRepository).get(accountId, fileId)
  return Option.match(found, { onNone: (): DriveResult => "gone", onSome: resultOf })
})

/** Steps the file on from `known` until it stops (at most `stepsLeft` steps). */
const driveFrom = (
  accountId: AccountId,
  fileId: FileId,
  known: Option.Option<FileRecord>,
  stepsLeft: number
): Effect.Effect<DriveResult, WorkflowError, WorkflowPorts> =>
  stepsLeft === 0
    ? standing(accountId, fileId)
    : Effect.flatMap(step(accountId, fileId, known), (taken) =>
      taken._tag === "Stop" ? Effect.succeed(taken.result) : driveFrom(accountId, fileId, taken.known, stepsLeft - 1))

/**
 * Moves one file as far as it can go: records its upload if the original is stored, runs attempts
 * (retrying transient failures up to the attempt limit, waiting out outages), and removes the original
 * once the file is final or gone — including an original that arrives again later (a replayed POST).
 * Fails only when the database or the store cannot be reached (the file stays due).
 */
export const drive = Effect.fnUntraced(function*(
  accountId: AccountId,
  fileId: FileId
): Effect.fn.Return<DriveResult, WorkflowError, WorkflowPorts> {
  return yield* driveFrom(accountId, fileId, Option.none(), maxSteps)
})

/**
 * `drive` from a record this process wrote a moment ago (the arrival an upload endpoint recorded), saving
 * the read. Safe if it is stale by now: every step is a conditional write, and a lost one reads again.
 */
export const driveKnown = (record: FileRecord): Effect.Effect<DriveResult, WorkflowError, WorkflowPorts> =>
  driveFrom(record.accountId, record.fileId, Option.some(record), maxSteps)

/** What recording an arrival came to: where the file stands, and the record as written (none when nothing was). */
export interface RecordedArrival {
  readonly result: DriveResult
  readonly written: Option.Option<FileRecord>
}

/**
 * Records an arrival without processing it: an upload endpoint calls this before acknowledging, so a
 * crash after the acknowledgement leaves a due `uploaded` file for the sweeper, never a lost event. For
 * a final file (a replayed POST) it makes the file due for clean-up, so the replayed bytes are deleted
 * even if the processing that follows is lost; for a deleted file it deletes them at once. `known`, the
 * record as this process last wrote it (upload-url's), saves the read unless it is stale. Returns the
 * record it wrote too, so the processing that follows can start from it (`driveKnown`).
 */
export const recordArrivalKnown = Effect.fnUntraced(function*(
  arrival: ObjectArrived,
  known: Option.Option<FileRecord> = Option.none()
): Effect.fn.Return<RecordedArrival, WorkflowError, FileRepository | ObjectStore> {
  if (Option.isSome(known)) {
    const written = yield* commitArrival(known.value, arrival)
    // Lost: the record moved on since (another delivery, a delete, the sweeper): decide on the record as it is.
    if (Option.isSome(written)) return { result: resultOf(written.value), written }
  }
  const found = yield* (yield* FileRepository).get(arrival.accountId, arrival.fileId)
  if (Option.isNone(found) || found.value.status === "deleting") {
    return { result: yield* removeOriginal(arrival.accountId, arrival.fileId), written: Option.none() }
  }
  // A lost write means another delivery recorded it first (or it was deleted): either way, not ours to do.
  const written = yield* commitArrival(found.value, arrival)
  return { result: resultOf(Option.getOrElse(written, () => found.value)), written }
})

/** `recordArrivalKnown`, where the file stands only. */
export const recordArrival = (arrival: ObjectArrived): Effect.Effect<DriveResult, WorkflowError, FileRepository | ObjectStore> =>
  Effect.map(recordArrivalKnown(arrival), (recorded) => recorded.result)

/**
 * An arrival, recorded once and then processed from the record as written (SPEC §6): what storage
 * events and sweeps that find an original call. Duplicates and replays are safe: the arrival is a
 * conditional write, and everything after it is the workflow of `drive`.
 */
export const arrive = Effect.fnUntraced(function*(
  arrival: ObjectArrived
): Effect.fn.Return<DriveResult, WorkflowError, WorkflowPorts> {
  const { accountId, fileId } = arrival
  const found = yield* (yield* FileRepository).get(accountId, fileId)
  if (Option.isNone(found)) return yield* removeOriginal(accountId, fileId)
  // A tombstone's step removes this original with every other object of the file. A final file's
  // original is deleted once processed, so its event may be a stale duplicate: its step asks storage.
  const { status } = found.value
  if (status === "deleting" || isFinal(status)) return yield* driveFrom(accountId, fileId, found, maxSteps)
  return yield* driveFrom(accountId, fileId, yield* commitArrival(found.value, arrival), maxSteps)
})
