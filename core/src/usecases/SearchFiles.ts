/**
 * Use case: files of one account by entity key prefix, in SPEC §3 order, one
 * page at a time with an opaque cursor.
 */
import { Effect, Result, Schema } from "effect"
import { Cursors, type CursorBinding } from "../Cursors.ts"
import { parsePrefix } from "../EntityKey.ts"
import type { EntityType } from "../EntityType.ts"
import { type FileRecord, isVisible, type VisibleStatus } from "../FileRecord.ts"
import { type FileView, makeToView } from "../FileView.ts"
import type { AccountId } from "../Ids.ts"
import { MediaConfig } from "../MediaConfig.ts"
import { InvalidRequest } from "../MediaErrors.ts"
import { nowSeconds } from "../nowSeconds.ts"
import { FileRepository, type RepositoryError } from "../ports/FileRepository.ts"
import { type SigningError, UrlSigner } from "../ports/UrlSigner.ts"
import { sortKey } from "../SortPosition.ts"

/** Page size when the client gives none (SPEC §3). */
export const defaultLimit = 25
/** Largest page size (SPEC §3). */
export const maxLimit = 100

/** A page size (SPEC §3): an integer from 1 to `maxLimit`; `defaultLimit` when the client gives none. */
export const PageLimit = Schema.Number.check(
  Schema.isInt({ message: `limit must be an integer from 1 to ${maxLimit}` }),
  Schema.isBetween({ minimum: 1, maximum: maxLimit }, { message: `limit must be from 1 to ${maxLimit}` })
).pipe(Schema.brand("PageLimit"))
/** A valid page size. */
export type PageLimit = typeof PageLimit.Type

/** A search as decoded at the edge (SPEC §3 `GET /v1/media/search`). */
export interface SearchRequest {
  readonly entityType: EntityType
  /** 1 to n whole parts of a key of `entityType` (SPEC §4); checked here. */
  readonly entityId: string
  readonly limit?: PageLimit | undefined
  /** The `cursor` of the previous page; checked here against the account and the query. */
  readonly cursor?: string | undefined
}

/** One page of a search (SPEC §3): files in search order, and `cursor` when more may follow. */
export interface SearchResult {
  readonly files: ReadonlyArray<FileView>
  /** Present only when another page may exist. */
  readonly cursor?: string
}

/**
 * One page of the account's files whose entity id starts with the prefix's whole parts. Fails
 * `InvalidRequest` for a malformed prefix or a cursor of another account or query.
 */
export type SearchFiles = (
  accountId: AccountId,
  request: SearchRequest
) => Effect.Effect<SearchResult, InvalidRequest | RepositoryError | SigningError>

const invalidCursor = () => new InvalidRequest({ message: "cursor is invalid or belongs to another query" })

/** Builds `SearchFiles` from the ports in context, resolved once. */
export const make: Effect.Effect<SearchFiles, never, FileRepository | UrlSigner | Cursors> = Effect.gen(function*() {
  const repo = yield* FileRepository
  const cursors = yield* Cursors
  const toView = makeToView(yield* UrlSigner, yield* MediaConfig)
  return Effect.fn("MediaFiles.search")(function*(accountId: AccountId, request: SearchRequest) {
    const prefix = parsePrefix(request.entityType, request.entityId)
    if (Result.isFailure(prefix)) return yield* new InvalidRequest({ message: prefix.failure.message })
    const limit = request.limit ?? defaultLimit
    const binding: CursorBinding = { accountId, entityType: request.entityType, match: prefix.success.match }
    const after = request.cursor === undefined
      ? undefined
      : yield* cursors.decode(binding, request.cursor).pipe(Effect.mapError(invalidCursor))
    // Defence in depth: a position outside the prefix cannot come from this query.
    if (after !== undefined && !sortKey(after).startsWith(prefix.success.match)) return yield* invalidCursor()
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
})
