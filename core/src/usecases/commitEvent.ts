/**
 * One step of the lifecycle: apply an event to the record as read, and write
 * the result only if the stored record is still that version.
 */
import { Effect, Option, Result } from "effect"
import type { FileRecord } from "../FileRecord.ts"
import { apply, type FileEvent } from "../FileState.ts"
import { FileRepository, type RepositoryError } from "../ports/FileRepository.ts"

/**
 * The record as written; none when the event changed nothing, removed the record, or another writer got
 * there first. Fails only when the database cannot be reached; an event the table calls illegal from the
 * status read is a bug (a defect).
 */
export const commitEvent = Effect.fnUntraced(function*(
  record: FileRecord,
  event: FileEvent
): Effect.fn.Return<Option.Option<FileRecord>, RepositoryError, FileRepository> {
  const outcome = apply(record, event)
  // Callers only send events the table allows from the status they read: anything else is a bug.
  if (Result.isFailure(outcome)) return yield* Effect.die(outcome.failure)
  const repo = yield* FileRepository
  // Only a tombstone is ever removed, and nothing moves a tombstone on: the delete needs no condition.
  if (outcome.success._tag === "Removed") {
    yield* repo.delete(record.accountId, record.fileId)
    return Option.none<FileRecord>()
  }
  if (outcome.success._tag !== "Changed") return Option.none<FileRecord>()
  const next = outcome.success.record
  const written = yield* repo.transition(next, record.version).pipe(
    Effect.as(true),
    Effect.catchTag("WriteConflict", () => Effect.succeed(false))
  )
  return written ? Option.some(next) : Option.none<FileRecord>()
})
