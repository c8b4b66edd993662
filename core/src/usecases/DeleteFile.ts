/**
 * Use case: remove a file's record and every object it has or may yet get.
 * The record first becomes a `deleting` tombstone (due, invisible to clients),
 * then the objects go, then the record: if removing objects fails, the DELETE
 * fails and a retry (or the sweeper) finishes the job. A processor or an upload
 * that finishes afterwards finds a tombstone or no record and removes what it
 * wrote (see ProcessUpload), so nothing is left behind.
 */
import { Effect, Option } from "effect"
import type { FileRecord } from "../FileRecord.ts"
import { maxAttempts } from "../FileState.ts"
import type { AccountId, FileId } from "../Ids.ts"
import { FileNotFound } from "../MediaErrors.ts"
import { nowSeconds } from "../nowSeconds.ts"
import { derivativeKeys, originalKey } from "../ObjectKeys.ts"
import { FileRepository, type RepositoryError } from "../ports/FileRepository.ts"
import { ObjectStore, type StorageError } from "../ports/ObjectStore.ts"
import { commitEvent } from "./commitEvent.ts"

/** Every key a file can own: its original and the derivatives of every possible attempt. */
export const allObjectKeys = (accountId: AccountId, fileId: FileId): ReadonlyArray<string> => {
  const keys = [originalKey(accountId, fileId)]
  for (let attempt = 1; attempt <= maxAttempts; attempt++) keys.push(...derivativeKeys(accountId, fileId, attempt))
  return keys
}

/** Finishes a tombstone: every object goes, then (only then) the record. Idempotent. */
export const purge = Effect.fnUntraced(function*(tombstone: FileRecord) {
  const store = yield* ObjectStore
  yield* Effect.forEach(allObjectKeys(tombstone.accountId, tombstone.fileId), (key) => store.delete(key), {
    concurrency: 4,
    discard: true
  })
  yield* commitEvent(tombstone, { _tag: "Purged", now: yield* nowSeconds })
})

// A lost write means someone else changed the record in between; a few re-reads settle it.
const maxTries = 8

/**
 * `DELETE /v1/media/{file_id}` (SPEC §3): tombstones the file, removes every object it may own, then
 * the record. Fails `FileNotFound` for an unknown or foreign id, a store error when objects could not
 * be removed (the tombstone stays; a retry or the sweeper finishes).
 */
export type DeleteFile = (
  accountId: AccountId,
  fileId: FileId
) => Effect.Effect<void, FileNotFound | RepositoryError | StorageError>

/** Builds `DeleteFile` from the ports in context, resolved once. */
export const make: Effect.Effect<DeleteFile, never, FileRepository | ObjectStore> = Effect.gen(function*() {
  const repo = yield* FileRepository
  const store = yield* ObjectStore
  // `commitEvent` and `purge` (shared with the sweeper) read their ports from context.
  const withPorts = <A, E>(effect: Effect.Effect<A, E, FileRepository | ObjectStore>) =>
    effect.pipe(Effect.provideService(FileRepository, repo), Effect.provideService(ObjectStore, store))
  return Effect.fn("MediaFiles.delete")(function*(accountId: AccountId, fileId: FileId) {
    for (let i = 0; i < maxTries; i++) {
      const found = yield* repo.get(accountId, fileId)
      if (Option.isNone(found)) return yield* new FileNotFound({ fileId })
      // A tombstone left by a DELETE that failed half-way: this retry finishes it.
      if (found.value.status === "deleting") return yield* withPorts(purge(found.value))
      const tombstone = yield* withPorts(commitEvent(found.value, { _tag: "Deleted", now: yield* nowSeconds }))
      if (Option.isSome(tombstone)) return yield* withPorts(purge(tombstone.value))
    }
    // Still racing after all these tries: the file is busy, not gone; a retry will do it.
    return yield* Effect.die(new Error(`could not delete file ${fileId}: its record kept changing`))
  })
})
