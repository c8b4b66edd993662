/**
 * FileRepository in memory, with the same ordering and conditional-write
 * semantics as the DynamoDB adapter (both pass the same contract suite).
 */
import { Effect, Layer, Option } from "effect"
import type { FileRecord } from "../FileRecord.ts"
import type { AccountId, FileId } from "../Ids.ts"
import { FileRepository, type SearchQuery, WriteConflict } from "../ports/FileRepository.ts"
import { compareSortKeys, sortKey } from "../SortPosition.ts"

const id = (accountId: string, fileId: string) => `${accountId}/${fileId}`
const keyOf = (r: FileRecord) => sortKey({ entityId: r.entityId, createdAt: r.createdAt, fileId: r.fileId })

/** A new, empty repository in memory. */
export const makeMemoryFileRepository = Effect.sync(() => {
  const records = new Map<string, FileRecord>()

  const create = Effect.fnUntraced(function*(record: FileRecord) {
    const k = id(record.accountId, record.fileId)
    if (records.has(k)) return yield* new WriteConflict({ fileId: record.fileId })
    records.set(k, record)
  })

  const get = Effect.fnUntraced(function*(accountId: AccountId, fileId: FileId) {
    return Option.fromNullishOr(records.get(id(accountId, fileId)))
  })

  const transition = Effect.fnUntraced(function*(next: FileRecord, expectedVersion: number) {
    const k = id(next.accountId, next.fileId)
    const current = records.get(k)
    if (current === undefined || current.version !== expectedVersion) {
      return yield* new WriteConflict({ fileId: next.fileId })
    }
    records.set(k, next)
  })

  const remove = Effect.fnUntraced(function*(accountId: AccountId, fileId: FileId) {
    const k = id(accountId, fileId)
    const current = records.get(k)
    records.delete(k)
    return Option.fromNullishOr(current)
  })

  const search = Effect.fnUntraced(function*(query: SearchQuery) {
    const after = query.after === undefined ? undefined : sortKey(query.after)
    const matching = [...records.values()]
      .filter((r) => r.accountId === query.accountId && r.entityType === query.entityType)
      .map((r) => [keyOf(r), r] as const)
      .filter(([k]) => k.startsWith(query.prefix.match) && (after === undefined || compareSortKeys(k, after) > 0))
      .sort(([a], [b]) => compareSortKeys(a, b))
    return {
      files: matching.slice(0, query.limit).map(([, r]) => r),
      more: matching.length > query.limit
    }
  })

  const listDue = Effect.fnUntraced(function*(now: number, limit: number) {
    return [...records.values()]
      .filter((r) => r.dueAt !== undefined && r.dueAt <= now)
      .sort((a, b) => a.dueAt! - b.dueAt!)
      .slice(0, limit)
  })

  return FileRepository.of({ create, get, transition, delete: remove, search, listDue })
})

/** `FileRepository` in memory, empty when built. */
export const layerMemory = Layer.effect(FileRepository, makeMemoryFileRepository)
