/**
 * One processing attempt (SPEC §6): read the original, run the image work,
 * store the derivatives under the attempt's own keys, and record the outcome
 * only if the attempt still owns the file. An attempt that lost its file
 * removes what it wrote.
 */
import { Duration, Effect, Option, Result, Schedule } from "effect"
import type { FailureReason, FileRecord } from "../FileRecord.ts"
import { type FileEvent, maxAttempts, outageBackoffSeconds } from "../FileState.ts"
import { MediaConfig, type MediaConfigShape } from "../MediaConfig.ts"
import { nowSeconds } from "../nowSeconds.ts"
import { derivativeKeys, imageKey, originalKey, thumbnailKey } from "../ObjectKeys.ts"
import { FileRepository, type RepositoryError } from "../ports/FileRepository.ts"
import { ImageProcessor, type ProcessedImage, ProcessorError } from "../ports/ImageProcessor.ts"
import { ObjectStore, type StorageError } from "../ports/ObjectStore.ts"
import { commitEvent } from "./commitEvent.ts"
import { processedContentType } from "../ContentType.ts"

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

const rejected = (reason: FailureReason): Result.Result<ProcessedImage, FailureReason> => Result.fail(reason)

/**
 * Runs the image work on the original's bytes: the processed image, or the failure reason to record.
 * A codec that hangs must not hold a worker (or the sweeper) forever: past its lease the attempt is lost
 * anyway, so it ends there as a transient failure (`processing_error`) and is retried.
 */
const processImage = (
  bytes: Uint8Array,
  config: MediaConfigShape
): Effect.Effect<Result.Result<ProcessedImage, FailureReason>, never, ImageProcessor> =>
  ImageProcessor.use((images) => images.process(bytes, { maxPixels: config.maxPixels })).pipe(
    Effect.timeoutOrElse({
      duration: Duration.seconds(config.leaseSeconds),
      orElse: () => Effect.fail(new ProcessorError({ cause: new Error("image processing timed out") }))
    }),
    Effect.map(Result.succeed),
    Effect.catchTag("ImageRejected", (e) => Effect.succeed(rejected(e.reason))),
    Effect.catchTag("ProcessorError", () => Effect.succeed(rejected("processing_error"))),
    Effect.catchDefect((defect) =>
      Effect.logWarning("image processor died", defect).pipe(Effect.as(rejected("processing_error")))
    )
  )

/** Stores the image and thumbnail under the attempt's keys; the first store failure, if any. */
const storeDerivatives = Effect.fnUntraced(function*(
  record: FileRecord,
  processed: ProcessedImage
): Effect.fn.Return<Option.Option<StorageError>, never, ObjectStore> {
  const store = yield* ObjectStore
  const { accountId, fileId, attempts } = record
  const writes: ReadonlyArray<readonly [string, Uint8Array]> = [
    [imageKey(accountId, fileId, attempts), processed.image.bytes],
    [thumbnailKey(accountId, fileId, attempts), processed.thumbnail.bytes]
  ]
  // Both writes settle before the attempt ends (none is cut off mid-flight), so once the attempt has
  // recorded its outcome, nothing it started can still land.
  const stored = yield* Effect.forEach(writes, ([key, data]) => Effect.result(store.put(key, data, processedContentType)), {
    concurrency: 2
  })
  return Option.firstSomeOf(stored.map(Result.getFailure))
})

/** Runs one processing attempt and stores its derivatives under the attempt's own keys. */
const produce = Effect.fnUntraced(function*(
  record: FileRecord
): Effect.fn.Return<AttemptResult, never, ObjectStore | ImageProcessor> {
  const config = yield* MediaConfig
  const original = yield* Effect.result((yield* ObjectStore).get(originalKey(record.accountId, record.fileId)))
  if (Result.isFailure(original)) return unavailable(original.failure)
  if (Option.isNone(original.success)) {
    // The store answered, without the bytes it acknowledged: nothing a wait would fix.
    yield* Effect.logWarning("the original of an uploaded file is missing", { file_id: record.fileId })
    return failedWith("processing_error")
  }
  const bytes = original.success.value
  if (record.declaredSize !== undefined && bytes.length !== record.declaredSize) return failedWith("size_mismatch")
  if (bytes.length > config.maxUploadBytes) return failedWith("too_large")
  const processed = yield* processImage(bytes, config)
  if (Result.isFailure(processed)) return failedWith(processed.failure)
  const lost = yield* storeDerivatives(record, processed.success)
  if (Option.isSome(lost)) return unavailable(lost.value)
  const { image } = processed.success
  return { _tag: "Done", size: image.bytes.length, width: image.width, height: image.height }
})

/** Deletes the image and thumbnail of the given attempts of a file. */
export const removeDerivatives = Effect.fnUntraced(function*(
  record: FileRecord,
  attempts: ReadonlyArray<number>
): Effect.fn.Return<void, StorageError, ObjectStore> {
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
export const staleAttempts = (record: FileRecord): ReadonlyArray<number> =>
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

/** Not the image's fault: the attempt is given back and the file waits, original kept (SPEC §6). */
const deferAttempt = Effect.fnUntraced(function*(
  record: FileRecord,
  error: StorageError
): Effect.fn.Return<Option.Option<FileRecord>, RepositoryError, FileRepository | ObjectStore> {
  const now = yield* nowSeconds
  const config = yield* MediaConfig
  const deferrals = (record.deferrals ?? 0) + 1
  const delay = outageBackoffSeconds(deferrals, config.retryDelaySeconds, config.outageBackoffCapSeconds)
  yield* Effect.logWarning("object store unavailable: processing deferred, the attempt does not count", {
    file_id: record.fileId,
    operation: error.operation,
    key: error.key,
    deferrals,
    retry_in_seconds: delay,
    cause: String(error.cause)
  })
  // The next attempt reuses this number: whatever this one managed to write goes first (best effort;
  // the next attempt overwrites it anyway, and clean-up of a final file covers every number).
  yield* Effect.ignore(removeDerivatives(record, [record.attempts]))
  return yield* commitOutcome(record, { _tag: "ProcessingDeferred", now, attempt: record.attempts, retryAt: now + delay })
})

/** The event that records a finished attempt: its image, or its failure (retried after a doubling delay). */
const outcomeEvent = (record: FileRecord, result: Exclude<AttemptResult, { _tag: "Unavailable" }>, now: number, retryDelaySeconds: number): FileEvent =>
  result._tag === "Done"
    ? { _tag: "Processed", now, attempt: record.attempts, size: result.size, width: result.width, height: result.height }
    : {
      _tag: "ProcessingFailed",
      now,
      attempt: record.attempts,
      reason: result.reason,
      retryAt: now + retryDelaySeconds * 2 ** (record.attempts - 1)
    }

/**
 * Runs the attempt this process just started (`record` is the `processing` record it wrote), and
 * records its outcome if it still owns the file: the record as written, or none when it lost the file.
 */
export const runAttempt = Effect.fnUntraced(function*(
  record: FileRecord
): Effect.fn.Return<Option.Option<FileRecord>, RepositoryError | StorageError, FileRepository | ObjectStore | ImageProcessor> {
  const result = yield* produce(record)
  if (result._tag === "Unavailable") return yield* deferAttempt(record, result.error)
  const { retryDelaySeconds } = yield* MediaConfig
  const written = yield* commitOutcome(record, outcomeEvent(record, result, yield* nowSeconds, retryDelaySeconds))
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
