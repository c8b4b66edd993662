/**
 * Use case: the sweeper. Finds files whose `dueAt` has passed and moves them
 * on: uploads never completed fail `upload_expired`; files whose event was
 * lost or whose processor crashed are driven again (lease expiry, retries).
 */
import { Duration, Effect, Option } from "effect"
import type { FileRecord } from "../FileRecord.ts"
import { MediaConfig } from "../MediaConfig.ts"
import { nowSeconds } from "../MediaErrors.ts"
import { originalKey } from "../ObjectKeys.ts"
import { FileRepository } from "../ports/FileRepository.ts"
import { ObjectStore } from "../ports/ObjectStore.ts"
import { commitEvent } from "./commitEvent.ts"
import { type DriveResult, driveFile } from "./ProcessUpload.ts"

export interface SweepOptions {
  /** How many due files to look at in one sweep. */
  readonly batch?: number
  readonly concurrency?: number
}

const expireUpload = Effect.fnUntraced(function*(record: FileRecord, now: number) {
  const store = yield* ObjectStore
  // The object may have arrived after all (its event lost): then it is processed, not expired.
  const arrived = yield* store.head(originalKey(record.accountId, record.fileId))
  if (Option.isSome(arrived)) return yield* driveFile(record.accountId, record.fileId, arrived.value.size)
  // Whether this write or a racing one wins, driveFile then takes the file from where it stands.
  yield* commitEvent(record, { _tag: "UploadExpired", now })
  return yield* driveFile(record.accountId, record.fileId)
})

/** Beyond the attempt itself (bounded by the lease): reading, writing and cleaning up. */
const stallMarginSeconds = 30

/**
 * What became of a due file: where the workflow left it, "stalled" when it overran its bound, or
 * "unavailable" when the store or database failed it (it stays due; a later sweep takes it up).
 */
export type SweepResult = DriveResult | "stalled" | "unavailable"

const unavailable = (record: FileRecord, error: { readonly operation: string; readonly cause: unknown }) =>
  Effect.logWarning("the store is unavailable for a due file; a later sweep retries it", {
    file_id: record.fileId,
    operation: error.operation,
    cause: String(error.cause)
  }).pipe(Effect.as("unavailable" as SweepResult))

/**
 * One sweep: returns what became of each due file. Each file gets at most its
 * lease plus a margin: a store that never answers must not hold up every other
 * due file (nor the next sweep). A stalled file is left as a crash would leave
 * it, and the next sweep takes it up again.
 */
export const sweepDue = Effect.fn("SweepDue")(function*(options: SweepOptions = {}) {
  const now = yield* nowSeconds
  const { leaseSeconds } = yield* MediaConfig
  const bound = Duration.seconds(leaseSeconds + stallMarginSeconds)
  const due = yield* (yield* FileRepository).listDue(now, options.batch ?? 100)
  return yield* Effect.forEach(due, (record) =>
    (record.status === "uploading"
      ? expireUpload(record, now)
      : driveFile(record.accountId, record.fileId)).pipe(
        Effect.timeoutOption(bound),
        Effect.flatMap(Option.match({
          onNone: () =>
            Effect.logWarning("a due file overran its bound; the next sweep retries it", { file_id: record.fileId }).pipe(
              Effect.as("stalled" as SweepResult)
            ),
          onSome: (result) => Effect.succeed(result as SweepResult)
        })),
        // One file's outage must not cut the sweep short for the others.
        Effect.catchTags({
          StorageError: (error) => unavailable(record, error),
          RepositoryError: (error) => unavailable(record, error)
        }),
        Effect.map((result): readonly [FileRecord, SweepResult] => [record, result])
      ), { concurrency: options.concurrency ?? 4 })
})
