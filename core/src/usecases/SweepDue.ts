/**
 * Use case: the sweeper. Finds files whose `dueAt` has passed and moves them
 * on: uploads never completed fail `upload_expired`; files whose event was
 * lost or whose processor crashed are driven again (lease expiry, retries).
 */
import { Duration, Effect, Option } from "effect"
import type { FileRecord } from "../FileRecord.ts"
import { MediaConfig } from "../MediaConfig.ts"
import { nowSeconds } from "../nowSeconds.ts"
import { ObjectArrived } from "../ObjectArrived.ts"
import { originalKey } from "../ObjectKeys.ts"
import { FileRepository, type RepositoryError } from "../ports/FileRepository.ts"
import { ObjectStore } from "../ports/ObjectStore.ts"
import { commitEvent } from "./commitEvent.ts"
import { arrive, drive, type DriveResult, type WorkflowError, type WorkflowPorts } from "./ProcessUpload.ts"

/** How much one sweep takes on: `batch` due files (default 100), `concurrency` at once (default 4). */
export interface SweepOptions {
  /** How many due files to look at in one sweep (default 100). */
  readonly batch?: number
  /** How many of them are moved on at once (default 4). */
  readonly concurrency?: number
}

/**
 * What became of a due file: where the workflow left it, "stalled" when it overran its bound, or
 * "unavailable" when the store or database failed it (it stays due; a later sweep takes it up).
 */
export type SweepResult = DriveResult | "stalled" | "unavailable"

/** Beyond the attempt itself (bounded by the lease): reading, writing and cleaning up. */
const stallMarginSeconds = 30

/** An upload past its expiry and grace: processed if its original arrived after all (its event lost), else failed. */
const expireUpload = Effect.fnUntraced(function*(
  record: FileRecord,
  now: number
): Effect.fn.Return<DriveResult, WorkflowError, WorkflowPorts> {
  const { accountId, fileId } = record
  const stored = yield* (yield* ObjectStore).head(originalKey(accountId, fileId))
  if (Option.isSome(stored)) return yield* arrive(new ObjectArrived({ accountId, fileId, size: stored.value.size }))
  // Whether this write or a racing one wins, the workflow then takes the file from where it stands.
  yield* commitEvent(record, { _tag: "UploadExpired", now })
  return yield* drive(accountId, fileId)
})

const stalled = (record: FileRecord): Effect.Effect<SweepResult> =>
  Effect.logWarning("a due file overran its bound; the next sweep retries it", { file_id: record.fileId }).pipe(
    Effect.as("stalled")
  )

const unavailable = (record: FileRecord, error: WorkflowError): Effect.Effect<SweepResult> =>
  Effect.logWarning("the store is unavailable for a due file; a later sweep retries it", {
    file_id: record.fileId,
    operation: error.operation,
    cause: String(error.cause)
  }).pipe(Effect.as("unavailable"))

/** Moves one due file on, within `bound`; never fails (an outage is reported, the file stays due). */
const sweepOne = (
  record: FileRecord,
  now: number,
  bound: Duration.Duration
): Effect.Effect<readonly [FileRecord, SweepResult], never, WorkflowPorts> =>
  (record.status === "uploading" ? expireUpload(record, now) : drive(record.accountId, record.fileId)).pipe(
    Effect.timeoutOrElse({ duration: bound, orElse: () => stalled(record) }),
    // One file's outage must not cut the sweep short for the others.
    Effect.catchTags({
      StorageError: (error) => unavailable(record, error),
      RepositoryError: (error) => unavailable(record, error)
    }),
    Effect.map((result): readonly [FileRecord, SweepResult] => [record, result])
  )

/**
 * One sweep: returns each due file (as listed) with what became of it. Each file gets at most its lease
 * plus a margin: a store that never answers must not hold up every other due file (nor the next sweep).
 * A stalled file is left as a crash would leave it, and the next sweep takes it up again. Fails only
 * when the due files cannot be listed.
 */
export const sweepDue = Effect.fn("SweepDue")(function*(
  options: SweepOptions = {}
): Effect.fn.Return<ReadonlyArray<readonly [FileRecord, SweepResult]>, RepositoryError, WorkflowPorts> {
  const now = yield* nowSeconds
  const { leaseSeconds } = yield* MediaConfig
  const bound = Duration.seconds(leaseSeconds + stallMarginSeconds)
  const due = yield* (yield* FileRepository).listDue(now, options.batch ?? 100)
  return yield* Effect.forEach(due, (record) => sweepOne(record, now, bound), { concurrency: options.concurrency ?? 4 })
})
