/**
 * Use case: remove a file's record and every object it has or may yet get.
 * A processor or an upload that finishes afterwards finds no record and
 * removes what it wrote (see ProcessUpload), so nothing is left behind.
 */
import { Effect, Option } from "effect"
import { maxAttempts } from "../FileState.ts"
import { type AccountId, type FileId, isFileId } from "../Ids.ts"
import { FileNotFound } from "../MediaErrors.ts"
import { derivativeKeys, originalKey } from "../ObjectKeys.ts"
import { FileRepository } from "../ports/FileRepository.ts"
import { ObjectStore } from "../ports/ObjectStore.ts"

/** Every key a file can own: its original and the derivatives of every possible attempt. */
export const allObjectKeys = (accountId: AccountId, fileId: FileId): ReadonlyArray<string> => {
  const keys = [originalKey(accountId, fileId)]
  for (let attempt = 1; attempt <= maxAttempts; attempt++) keys.push(...derivativeKeys(accountId, fileId, attempt))
  return keys
}

export const deleteFile = Effect.fn("DeleteFile")(function*(accountId: AccountId, fileId: string) {
  if (!isFileId(fileId)) return yield* new FileNotFound({ fileId })
  const removed = yield* (yield* FileRepository).delete(accountId, fileId)
  if (Option.isNone(removed)) return yield* new FileNotFound({ fileId })
  const store = yield* ObjectStore
  yield* Effect.forEach(allObjectKeys(accountId, fileId), (key) => store.delete(key), {
    concurrency: 4,
    discard: true
  })
})
