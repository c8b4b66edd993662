/**
 * Use case: one file of the caller's account, with signed URLs when ready.
 */
import { Effect, Option } from "effect"
import { isVisible } from "../FileRecord.ts"
import { type FileView, makeToView } from "../FileView.ts"
import type { AccountId, FileId } from "../Ids.ts"
import { MediaConfig } from "../MediaConfig.ts"
import { FileNotFound } from "../MediaErrors.ts"
import { nowSeconds } from "../nowSeconds.ts"
import { FileRepository, type RepositoryError } from "../ports/FileRepository.ts"
import { type SigningError, UrlSigner } from "../ports/UrlSigner.ts"

/**
 * `GET /v1/media/{file_id}` (SPEC §3): the file as clients see it. Another account's file, an unknown
 * id and a tombstone all fail `FileNotFound`, alike.
 */
export type GetFile = (accountId: AccountId, fileId: FileId) => Effect.Effect<FileView, FileNotFound | RepositoryError | SigningError>

/** Builds `GetFile` from the ports in context, resolved once. */
export const make: Effect.Effect<GetFile, never, FileRepository | UrlSigner> = Effect.gen(function*() {
  const repo = yield* FileRepository
  const toView = makeToView(yield* UrlSigner, yield* MediaConfig)
  // The hot path (benchmarked, issue 13): untraced, since Effect.fn captures a stack trace on every
  // call (a tenth of the lean GET route's CPU); nothing resolved per call.
  return Effect.fnUntraced(function*(accountId: AccountId, fileId: FileId) {
    const record = yield* repo.get(accountId, fileId)
    // A tombstone (a DELETE in progress or to be retried) is already gone for clients.
    if (Option.isNone(record) || !isVisible(record.value)) return yield* new FileNotFound({ fileId })
    return yield* toView(record.value, yield* nowSeconds)
  })
})
