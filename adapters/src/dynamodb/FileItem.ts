/**
 * How a FileRecord is laid out as a DynamoDB item: its table key, its keys in
 * the `search` and `due` indexes, and the way back (decoded, never trusted).
 */
import { FileRecord } from "@media-object-storage/core/FileRecord"
import type { AccountId, FileId } from "@media-object-storage/core/Ids"
import { RepositoryError } from "@media-object-storage/core/ports/FileRepository"
import { type SortPosition, sortKey } from "@media-object-storage/core/SortPosition"
import type { EntityType } from "@media-object-storage/core/EntityType"
import { Effect, Schema } from "effect"

export const fileSk = "FILE"
export const dueShards = 8
const secondsWidth = 12

export const fileKey = (accountId: AccountId, fileId: FileId | string) => ({
  pk: `FILE#${accountId}#${fileId}`,
  sk: fileSk
})

export const searchPk = (accountId: AccountId, entityType: EntityType): string => `${accountId}#${entityType}`

const padSeconds = (seconds: number): string => String(seconds).padStart(secondsWidth, "0")

/** Spreads due files over a few index partitions so no single partition takes every write. */
export const dueShard = (fileId: string): number => {
  let h = 0
  for (let i = 0; i < fileId.length; i++) h = (h * 31 + fileId.charCodeAt(i)) >>> 0
  return h % dueShards
}

export const duePk = (shard: number): string => `DUE#${shard}`
export const dueSk = (dueAt: number, fileId: string): string => `${padSeconds(dueAt)}#${fileId}`
/** Above every `due_sk` of a file due at `now` (file ids are ASCII). */
export const dueSkUpTo = (now: number): string => `${padSeconds(now)}#\uffff`

/**
 * The full index key of a search position, as Query's ExclusiveStartKey wants it
 * for a GSI: index keys plus the table keys of the file at that position.
 */
export const searchStartKey = (accountId: AccountId, entityType: EntityType, after: SortPosition) => ({
  ...fileKey(accountId, after.fileId),
  search_pk: searchPk(accountId, entityType),
  search_sk: sortKey(after)
})

/** A record as an item. PutItem replaces the whole item, so a record without `dueAt` leaves the due index. */
export const toItem = (record: FileRecord): Record<string, unknown> => ({
  ...record,
  ...fileKey(record.accountId, record.fileId),
  search_pk: searchPk(record.accountId, record.entityType),
  search_sk: sortKey({ entityId: record.entityId, createdAt: record.createdAt, fileId: record.fileId }),
  ...(record.dueAt === undefined ? {} : {
    due_pk: duePk(dueShard(record.fileId)),
    due_sk: dueSk(record.dueAt, record.fileId)
  })
})

const decodeRecord = Schema.decodeUnknownEffect(FileRecord)

/** An item back to a record; a malformed item is a RepositoryError, not a defect. */
export const fromItem = (operation: string) => (item: Record<string, unknown>) => {
  const { pk: _pk, sk: _sk, search_pk: _spk, search_sk: _ssk, due_pk: _dpk, due_sk: _dsk, ...fields } = item
  return decodeRecord(fields).pipe(
    Effect.mapError((cause) => new RepositoryError({ operation, cause }))
  )
}
