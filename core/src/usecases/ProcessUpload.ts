/**
 * Use case: the processing workflow, driven by "object created" notifications
 * (and by the sweeper). Every step is a conditional write on the record, so it
 * is safe under duplicate, reordered and concurrent delivery and under crashes:
 * whoever loses a write re-reads, and an attempt that lost its file removes
 * what it wrote.
 */
import { Duration, Effect, Option, Result } from "effect"
import type { FileEvent } from "../FileState.ts"
import type { FailureReason, FileRecord, FileStatus } from "../FileRecord.ts"
import type { AccountId, FileId } from "../Ids.ts"
import { MediaConfig } from "../MediaConfig.ts"
import { nowSeconds } from "../MediaErrors.ts"
import { derivativeKeys, imageKey, originalKey, parseOriginalKey, thumbnailKey } from "../ObjectKeys.ts"
import { FileRepository } from "../ports/FileRepository.ts"
import { ImageProcessor, ProcessorError } from "../ports/ImageProcessor.ts"
import { ObjectStore } from "../ports/ObjectStore.ts"
import { commitEvent } from "./commitEvent.ts"

/** Where a file stands after the workflow ran: its status, "gone" (deleted), or "ignored" (not an original). */
export type DriveResult = FileStatus | "gone" | "ignored"

// Each loop turn makes one transition or returns; 3 attempts need fewer than this.
const maxSteps = 16

type AttemptResult =
  | { readonly _tag: "Done"; readonly size: number; readonly width: number; readonly height: number }
  | { readonly _tag: "Failed"; readonly reason: FailureReason }

/** Runs one processing attempt and stores its derivatives under the attempt's own keys. */
const produce = Effect.fnUntraced(function*(record: FileRecord) {
  const store = yield* ObjectStore
  const config = yield* MediaConfig
  const { accountId, fileId, attempts } = record
  const transient = { _tag: "Failed", reason: "processing_error" } as const
  const original = yield* store.get(originalKey(accountId, fileId)).pipe(Effect.option)
  if (Option.isNone(original)) return transient as AttemptResult
  if (Option.isNone(original.value)) return transient as AttemptResult
  const bytes = original.value.value
  if (bytes.length > config.maxUploadBytes) return { _tag: "Failed", reason: "too_large" } as AttemptResult
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
  if (Result.isFailure(processed)) return { _tag: "Failed", reason: processed.failure } as AttemptResult
  const { image, thumbnail } = processed.success
  const stored = yield* Effect.all([
    store.put(imageKey(accountId, fileId, attempts), image.bytes, "image/jpeg"),
    store.put(thumbnailKey(accountId, fileId, attempts), thumbnail.bytes, "image/jpeg")
  ], { concurrency: 2 }).pipe(Effect.option)
  if (Option.isNone(stored)) return transient as AttemptResult
  return { _tag: "Done", size: image.bytes.length, width: image.width, height: image.height } as AttemptResult
})

/** Deletes the image and thumbnail of the given attempts of a file. */
const removeDerivatives = (record: FileRecord, attempts: ReadonlyArray<number>) =>
  Effect.gen(function*() {
    const store = yield* ObjectStore
    const keys = attempts.flatMap((attempt) => derivativeKeys(record.accountId, record.fileId, attempt))
    yield* Effect.forEach(keys, (key) => store.delete(key), { concurrency: 2, discard: true })
  })

/**
 * An attempt that crashed after storing its derivatives never removes them: once the file is final,
 * every attempt's derivatives go except a ready file's winning one.
 */
const staleAttempts = (record: FileRecord): ReadonlyArray<number> => {
  const last = record.status === "ready" ? record.attempts - 1 : record.attempts
  return Array.from({ length: Math.max(0, last) }, (_, i) => i + 1)
}

/** Runs the attempt this process just started, and records its outcome if it still owns the file. */
const runAttempt = Effect.fnUntraced(function*(record: FileRecord) {
  const result = yield* produce(record)
  const now = yield* nowSeconds
  const { retryDelaySeconds } = yield* MediaConfig
  const retryAt = now + retryDelaySeconds * 2 ** (record.attempts - 1)
  const event: FileEvent = result._tag === "Done"
    ? { _tag: "Processed", now, attempt: record.attempts, size: result.size, width: result.width, height: result.height }
    : { _tag: "ProcessingFailed", now, attempt: record.attempts, reason: result.reason, retryAt }
  const committed = yield* commitEvent(record, event)
  // Lost the file (deleted, or the lease expired and another attempt took over): leave nothing behind.
  if (Option.isNone(committed) || committed.value.status !== "ready") yield* removeDerivatives(record, [record.attempts])
  return committed
})

/**
 * Moves one file as far as it can go: registers the upload, runs attempts
 * (retrying transient failures up to the attempt limit), and removes the
 * original once the file is final or gone. `observedSize` is the size storage
 * reported; without it the object is looked up.
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
        // Backing off after a transient failure: the sweeper retries it when due, whoever calls now.
        if (record.attempts > 0 && record.dueAt !== undefined && now < record.dueAt) return "uploaded" as DriveResult
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
        // Originals carry the metadata we promise to strip: never keep one past the end. The file stays
        // due until this is recorded, so a crash here leaves it to the sweeper rather than forgotten.
        if (record.dueAt !== undefined) {
          yield* store.delete(original)
          yield* removeDerivatives(record, staleAttempts(record))
          yield* commitEvent(record, { _tag: "CleanedUp", now })
        }
        return record.status as DriveResult
      }
    }
  }
  return (yield* repo.get(accountId, fileId)).pipe(Option.match({
    onNone: () => "gone" as DriveResult,
    onSome: (record) => record.status as DriveResult
  }))
})

/**
 * Records that an original arrived (`uploading → uploaded`) without processing
 * it: an upload endpoint calls this before acknowledging, so a crash after the
 * acknowledgement leaves a due `uploaded` file for the sweeper, never a lost event.
 */
export const registerUpload = Effect.fn("ProcessUpload.registerUpload")(function*(key: string, size: number) {
  const ids = parseOriginalKey(key)
  if (Option.isNone(ids)) return "ignored" as DriveResult
  const config = yield* MediaConfig
  const found = yield* (yield* FileRepository).get(ids.value.accountId, ids.value.fileId)
  if (Option.isNone(found)) return "gone" as DriveResult
  if (found.value.status !== "uploading") return found.value.status as DriveResult
  const now = yield* nowSeconds
  const written = yield* commitEvent(found.value, {
    _tag: "ObjectCreated",
    now,
    size,
    redispatchAt: now + config.redispatchAfterSeconds
  })
  // A lost write means another delivery registered it first (or it was deleted): either way, not ours to do.
  return Option.match(written, { onNone: () => found.value.status as DriveResult, onSome: (r) => r.status as DriveResult })
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
