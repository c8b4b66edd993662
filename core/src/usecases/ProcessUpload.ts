/**
 * Use case: the processing workflow, driven by "object created" notifications
 * (and by the sweeper). Every step is a conditional write on the record, so it
 * is safe under duplicate, reordered and concurrent delivery and under crashes:
 * whoever loses a write re-reads, and an attempt that lost its file removes
 * what it wrote.
 */
import { Duration, Effect, Option, Result, Schedule } from "effect"
import type { FileEvent } from "../FileState.ts"
import { maxAttempts, outageBackoffSeconds } from "../FileState.ts"
import type { FailureReason, FileRecord, FileStatus } from "../FileRecord.ts"
import type { AccountId, FileId } from "../Ids.ts"
import { MediaConfig } from "../MediaConfig.ts"
import { nowSeconds } from "../MediaErrors.ts"
import { derivativeKeys, imageKey, originalKey, parseOriginalKey, thumbnailKey } from "../ObjectKeys.ts"
import { FileRepository } from "../ports/FileRepository.ts"
import { ImageProcessor, ProcessorError } from "../ports/ImageProcessor.ts"
import { ObjectStore, type StorageError } from "../ports/ObjectStore.ts"
import { commitEvent } from "./commitEvent.ts"
import { purge } from "./DeleteFile.ts"

/** Where a file stands after the workflow ran: its status, "gone" (deleted), or "ignored" (not an original). */
export type DriveResult = FileStatus | "gone" | "ignored"

// Each loop turn makes one transition or returns; 3 attempts need fewer than this.
const maxSteps = 16

/**
 * What one attempt came to: derivatives stored; a failure of the image work (or of the upload itself),
 * which counts toward the attempts; or an object store that could not be reached, which does not.
 */
type AttemptResult =
  | { readonly _tag: "Done"; readonly size: number; readonly width: number; readonly height: number }
  | { readonly _tag: "Failed"; readonly reason: FailureReason }
  | { readonly _tag: "Unavailable"; readonly error: StorageError }

const failedWith = (reason: FailureReason): AttemptResult => ({ _tag: "Failed", reason })
const unavailable = (error: StorageError): AttemptResult => ({ _tag: "Unavailable", error })

/** Runs one processing attempt and stores its derivatives under the attempt's own keys. */
const produce = Effect.fnUntraced(function*(record: FileRecord) {
  const store = yield* ObjectStore
  const config = yield* MediaConfig
  const { accountId, fileId, attempts } = record
  const original = yield* Effect.result(store.get(originalKey(accountId, fileId)))
  if (Result.isFailure(original)) return unavailable(original.failure)
  if (Option.isNone(original.success)) {
    // The store answered, without the bytes it acknowledged: nothing a wait would fix.
    yield* Effect.logWarning("the original of an uploaded file is missing", { file_id: fileId })
    return failedWith("processing_error")
  }
  const bytes = original.success.value
  if (record.declaredSize !== undefined && bytes.length !== record.declaredSize) return failedWith("size_mismatch")
  if (bytes.length > config.maxUploadBytes) return failedWith("too_large")
  const processed = yield* (yield* ImageProcessor).process(bytes, { maxPixels: config.maxPixels }).pipe(
    // A codec that hangs must not hold a worker (or the sweeper) forever: past its lease the attempt
    // is lost anyway, so it ends there as a transient failure and is retried.
    Effect.timeoutOption(Duration.seconds(config.leaseSeconds)),
    Effect.flatMap(Option.match({
      onNone: () => Effect.fail(new ProcessorError({ cause: new Error("image processing timed out") })),
      onSome: Effect.succeed
    })),
    Effect.map(Result.succeed),
    Effect.catchTag("ImageRejected", (e) => Effect.succeed(Result.fail<FailureReason>(e.reason))),
    Effect.catchTag("ProcessorError", () => Effect.succeed(Result.fail<FailureReason>("processing_error"))),
    Effect.catchDefect((defect) =>
      Effect.logWarning("image processor died", defect).pipe(Effect.as(Result.fail<FailureReason>("processing_error")))
    )
  )
  if (Result.isFailure(processed)) return failedWith(processed.failure)
  const { image, thumbnail } = processed.success
  // Both writes settle before the attempt ends (none is cut off mid-flight), so once the attempt has
  // recorded its outcome, nothing it started can still land.
  const stored = yield* Effect.forEach([
    [imageKey(accountId, fileId, attempts), image.bytes],
    [thumbnailKey(accountId, fileId, attempts), thumbnail.bytes]
  ] as const, ([key, data]) => Effect.result(store.put(key, data, "image/jpeg")), { concurrency: 2 })
  for (const put of stored) if (Result.isFailure(put)) return unavailable(put.failure)
  const done: AttemptResult = { _tag: "Done", size: image.bytes.length, width: image.width, height: image.height }
  return done
})

/** Deletes the image and thumbnail of the given attempts of a file. */
const removeDerivatives = (record: FileRecord, attempts: ReadonlyArray<number>) =>
  Effect.gen(function*() {
    const store = yield* ObjectStore
    const keys = attempts.flatMap((attempt) => derivativeKeys(record.accountId, record.fileId, attempt))
    yield* Effect.forEach(keys, (key) => store.delete(key), { concurrency: 2, discard: true })
  })

const range = (from: number, to: number): ReadonlyArray<number> =>
  Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i)

/**
 * An attempt that crashed after storing its derivatives never removes them: once the file is final,
 * every attempt's derivatives go except a ready file's winning one. (A failed file may have had an
 * attempt given back after an outage, whose writes may linger under its number: every number goes.)
 */
const staleAttempts = (record: FileRecord): ReadonlyArray<number> =>
  record.status === "ready" ? range(1, record.attempts - 1) : range(1, maxAttempts)

/**
 * Recording an attempt's outcome outlives a short database outage: a lost answer here would leave the
 * file `processing` until its lease runs out, and that counts as an attempt.
 */
const commitOutcome = (record: FileRecord, event: FileEvent) =>
  commitEvent(record, event).pipe(
    Effect.retry({
      schedule: Schedule.exponential(Duration.seconds(1)),
      times: 5,
      while: (error) => error._tag === "RepositoryError"
    })
  )

/** Runs the attempt this process just started, and records its outcome if it still owns the file. */
const runAttempt = Effect.fnUntraced(function*(record: FileRecord) {
  const result = yield* produce(record)
  const now = yield* nowSeconds
  const config = yield* MediaConfig
  if (result._tag === "Unavailable") {
    // Not the image's fault: the attempt is given back and the file waits, original kept (SPEC §6).
    const deferrals = (record.deferrals ?? 0) + 1
    const delay = outageBackoffSeconds(deferrals, config.retryDelaySeconds, config.outageBackoffCapSeconds)
    yield* Effect.logWarning("object store unavailable: processing deferred, the attempt does not count", {
      file_id: record.fileId,
      operation: result.error.operation,
      key: result.error.key,
      deferrals,
      retry_in_seconds: delay,
      cause: String(result.error.cause)
    })
    // The next attempt reuses this number: whatever this one managed to write goes first (best effort;
    // the next attempt overwrites it anyway, and clean-up of a final file covers every number).
    yield* Effect.ignore(removeDerivatives(record, [record.attempts]))
    return yield* commitOutcome(record, { _tag: "ProcessingDeferred", now, attempt: record.attempts, retryAt: now + delay })
  }
  const retryAt = now + config.retryDelaySeconds * 2 ** (record.attempts - 1)
  const event: FileEvent = result._tag === "Done"
    ? { _tag: "Processed", now, attempt: record.attempts, size: result.size, width: result.width, height: result.height }
    : { _tag: "ProcessingFailed", now, attempt: record.attempts, reason: result.reason, retryAt }
  const written = yield* commitOutcome(record, event)
  // A write retried after a lost answer finds its own earlier success as a conflict: look before
  // removing derivatives a ready file may be serving.
  const committed = Option.isSome(written) || result._tag !== "Done"
    ? written
    : Option.filter(
      yield* (yield* FileRepository).get(record.accountId, record.fileId),
      (current) => current.status === "ready" && current.attempts === record.attempts
    )
  // Lost the file (deleted, or the lease expired and another attempt took over): leave nothing behind.
  if (Option.isNone(committed) || committed.value.status !== "ready") yield* removeDerivatives(record, [record.attempts])
  return committed
})

/**
 * Moves one file as far as it can go: registers the upload, runs attempts
 * (retrying transient failures up to the attempt limit, waiting out outages),
 * and removes the original once the file is final or gone — including an
 * original that arrives again later (a replayed pre-signed POST). `observedSize`
 * is the size storage reported; without it the object is looked up.
 */
export const driveFile = Effect.fn("ProcessUpload.driveFile")(function*(
  accountId: AccountId,
  fileId: FileId,
  observedSize?: number
) {
  const repo = yield* FileRepository
  const store = yield* ObjectStore
  const config = yield* MediaConfig
  const original = originalKey(accountId, fileId)
  // The record this loop last wrote: a successful conditional write is exactly what is stored, so the
  // next turn starts from it instead of reading it back. After a lost write, it reads again.
  let known = Option.none<FileRecord>()
  for (let step = 0; step < maxSteps; step++) {
    const found = Option.isSome(known) ? known : yield* repo.get(accountId, fileId)
    if (Option.isNone(found)) {
      // Deleted, or never ours: an original without a record must not linger.
      yield* store.delete(original)
      return "gone" as DriveResult
    }
    const record = found.value
    const now = yield* nowSeconds
    switch (record.status) {
      case "uploading": {
        const size = observedSize !== undefined
          ? observedSize
          : Option.map(yield* store.head(original), (info) => info.size).pipe(Option.getOrUndefined)
        if (size === undefined) return "uploading" as DriveResult
        known = yield* commitEvent(record, { _tag: "ObjectCreated", now, size, redispatchAt: now + config.redispatchAfterSeconds })
        break
      }
      case "uploaded": {
        // Backing off after a transient failure or an outage: the sweeper retries it when due, whoever calls now.
        const backingOff = record.attempts > 0 || (record.deferrals ?? 0) > 0
        if (backingOff && record.dueAt !== undefined && now < record.dueAt) return "uploaded" as DriveResult
        const started = yield* commitEvent(record, { _tag: "ProcessingStarted", now, leaseUntil: now + config.leaseSeconds })
        known = Option.isSome(started) ? yield* runAttempt(started.value) : started
        break
      }
      case "processing": {
        // Another attempt holds a live lease: it will finish, or the sweeper retries after it expires.
        if (record.leaseExpiresAt !== undefined && now < record.leaseExpiresAt) return "processing" as DriveResult
        known = yield* commitEvent(record, { _tag: "LeaseExpired", now, redispatchAt: now })
        break
      }
      case "ready":
      case "failed": {
        if (record.dueAt === undefined) {
          // Cleaned up already; but a pre-signed POST can be replayed until it expires, and each replay
          // stores an original again. Record that it must go (so a crash cannot forget it), then remove it.
          const arrived = yield* store.head(original)
          if (Option.isNone(arrived)) return record.status as DriveResult
          known = yield* commitEvent(record, { _tag: "ObjectCreated", now, size: arrived.value.size, redispatchAt: now })
          break
        }
        // Originals carry the metadata we promise to strip: never keep one past the end. The file stays
        // due until this is recorded, so a crash here leaves it to the sweeper rather than forgotten.
        yield* store.delete(original)
        yield* removeDerivatives(record, staleAttempts(record))
        yield* commitEvent(record, { _tag: "CleanedUp", now })
        return record.status as DriveResult
      }
      case "deleting": {
        // A DELETE that did not finish (or is finishing now): remove every object, then the record.
        yield* purge(record)
        return "gone" as DriveResult
      }
    }
  }
  return (yield* repo.get(accountId, fileId)).pipe(Option.match({
    onNone: () => "gone" as DriveResult,
    onSome: (record) => record.status === "deleting" ? "gone" as DriveResult : record.status as DriveResult
  }))
})

/**
 * Records that an original arrived (`uploading → uploaded`) without processing
 * it: an upload endpoint calls this before acknowledging, so a crash after the
 * acknowledgement leaves a due `uploaded` file for the sweeper, never a lost event.
 * For a final file (a replayed POST) it makes the file due for clean-up, so the
 * replayed bytes are deleted even if the dispatched job is lost; for a deleted
 * file it deletes them at once.
 */
export const registerUpload = Effect.fn("ProcessUpload.registerUpload")(function*(key: string, size: number) {
  const ids = parseOriginalKey(key)
  if (Option.isNone(ids)) return "ignored" as DriveResult
  const config = yield* MediaConfig
  const found = yield* (yield* FileRepository).get(ids.value.accountId, ids.value.fileId)
  // Deleted (or being deleted): these bytes belong to no file, and nothing may serve them.
  if (Option.isNone(found) || found.value.status === "deleting") {
    yield* (yield* ObjectStore).delete(key)
    return "gone" as DriveResult
  }
  const record = found.value
  const now = yield* nowSeconds
  // Uploading: the arrival (`uploaded`, due). Final: a replayed POST, so the file is due for clean-up again.
  // Uploaded or processing: nothing, unless the stored size is not the declared one (`size_mismatch`).
  const written = yield* commitEvent(record, {
    _tag: "ObjectCreated",
    now,
    size,
    redispatchAt: now + config.redispatchAfterSeconds
  })
  // A lost write means another delivery registered it first (or it was deleted): either way, not ours to do.
  return Option.match(written, { onNone: () => record.status as DriveResult, onSome: (r) => r.status as DriveResult })
})

/** Handles a storage "object created" notification; keys outside the originals prefix are ignored. */
export const handleObjectCreated = Effect.fn("ProcessUpload.handleObjectCreated")(function*(
  key: string,
  size?: number
) {
  const ids = parseOriginalKey(key)
  if (Option.isNone(ids)) return "ignored" as DriveResult
  return yield* driveFile(ids.value.accountId, ids.value.fileId, size)
})
