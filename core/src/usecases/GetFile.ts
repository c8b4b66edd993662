/**
 * Use case: one file of the caller's account, with signed URLs when ready.
 */
import { Effect, Option } from "effect"
import { isVisible } from "../FileRecord.ts"
import { toView } from "../FileView.ts"
import { type AccountId, isFileId } from "../Ids.ts"
import { FileNotFound, nowSeconds } from "../MediaErrors.ts"
import { FileRepository } from "../ports/FileRepository.ts"

export const getFile = Effect.fn("GetFile")(function*(accountId: AccountId, fileId: string) {
  // A malformed id cannot name any file: answer exactly like an unknown one.
  if (!isFileId(fileId)) return yield* new FileNotFound({ fileId })
  const record = yield* (yield* FileRepository).get(accountId, fileId)
  // A tombstone (a DELETE in progress or to be retried) is already gone for clients.
  if (Option.isNone(record) || !isVisible(record.value)) return yield* new FileNotFound({ fileId })
  return yield* toView(record.value, yield* nowSeconds)
})
