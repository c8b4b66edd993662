/**
 * Use case: files of one account by entity key prefix, in SPEC §3 order, one
 * page at a time with an opaque cursor.
 */
import { Effect, Result } from "effect"
import { Cursors, type CursorBinding } from "../Cursor.ts"
import { parsePrefix } from "../EntityKey.ts"
import { entityTypeNames, isEntityType } from "../EntityType.ts"
import { type FileRecord, isVisible, type VisibleStatus } from "../FileRecord.ts"
import { type FileView, toView } from "../FileView.ts"
import type { AccountId } from "../Ids.ts"
import { InvalidRequest, nowSeconds } from "../MediaErrors.ts"
import { FileRepository } from "../ports/FileRepository.ts"
import { sortKey } from "../SortPosition.ts"

export const defaultLimit = 25
export const maxLimit = 100

export interface SearchRequest {
  readonly entityType: string
  readonly entityId: string
  readonly limit?: number | undefined
  readonly cursor?: string | undefined
}

export interface SearchResult {
  readonly files: ReadonlyArray<FileView>
  readonly cursor?: string
}

export const searchFiles = Effect.fn("SearchFiles")(function*(accountId: AccountId, request: SearchRequest) {
  if (!isEntityType(request.entityType)) {
    return yield* new InvalidRequest({ message: `entity_type must be one of ${entityTypeNames.join(", ")}` })
  }
  const prefix = parsePrefix(request.entityType, request.entityId)
  if (Result.isFailure(prefix)) return yield* new InvalidRequest({ message: prefix.failure.message })
  const limit = request.limit ?? defaultLimit
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > maxLimit) {
    return yield* new InvalidRequest({ message: `limit must be an integer from 1 to ${maxLimit}` })
  }
  const binding: CursorBinding = { accountId, entityType: request.entityType, match: prefix.success.match }
  const cursors = yield* Cursors
  const after = request.cursor === undefined
    ? undefined
    : yield* cursors.decode(binding, request.cursor).pipe(
      Effect.mapError(() => new InvalidRequest({ message: "cursor is invalid or belongs to another query" }))
    )
  // Defence in depth: a position outside the prefix cannot come from this query.
  if (after !== undefined && !sortKey(after).startsWith(prefix.success.match)) {
    return yield* new InvalidRequest({ message: "cursor is invalid or belongs to another query" })
  }
  const repo = yield* FileRepository
  // Tombstones (deletes in progress) are not listed; pages are refilled past them so a page with a
  // cursor stays full.
  const records: Array<FileRecord & { readonly status: VisibleStatus }> = []
  let position = after
  let more = true
  while (more && records.length < limit) {
    const page = yield* repo.search({
      accountId,
      entityType: request.entityType,
      prefix: prefix.success,
      after: position,
      limit: limit - records.length
    })
    for (const record of page.files) if (isVisible(record)) records.push(record)
    const last = page.files.at(-1)
    more = page.more && last !== undefined
    if (last !== undefined) position = { entityId: last.entityId, createdAt: last.createdAt, fileId: last.fileId }
  }
  const now = yield* nowSeconds
  const files = yield* Effect.forEach(records, (record) => toView(record, now))
  const last = records.at(-1)
  if (!more || last === undefined) return { files } satisfies SearchResult
  const cursor = yield* cursors.encode(binding, {
    entityId: last.entityId,
    createdAt: last.createdAt,
    fileId: last.fileId
  })
  return { files, cursor } satisfies SearchResult
})
