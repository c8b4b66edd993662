/**
 * Port: where file records live. Every state change is a conditional write on
 * the record's version, so racing processors and duplicate events cannot both win.
 */
import { Context, type Effect, type Option, Schema } from "effect"
import type { EntityPrefix } from "../EntityKey.ts"
import type { EntityType } from "../EntityType.ts"
import type { FileRecord } from "../FileRecord.ts"
import type { AccountId, FileId } from "../Ids.ts"
import type { SortPosition } from "../SortPosition.ts"

/** A conditional write lost: the record is missing, already exists, or changed since it was read. */
export class WriteConflict extends Schema.TaggedError<WriteConflict>()("WriteConflict", {
  fileId: Schema.String
}) {}

/** The store could not be reached or answered unexpectedly. */
export class RepositoryError extends Schema.TaggedError<RepositoryError>()("RepositoryError", {
  operation: Schema.String,
  cause: Schema.Defect()
}) {}

/**
 * One page of a search (SPEC §3): the account's files of `entityType` whose key `prefix` matches on whole
 * parts, in `SortPosition` order, at most `limit`.
 */
export interface SearchQuery {
  readonly accountId: AccountId
  readonly entityType: EntityType
  readonly prefix: EntityPrefix
  /** Return only files strictly after this position. */
  readonly after?: SortPosition | undefined
  readonly limit: number
}

/** What `search` answers. */
export interface SearchPage {
  /** At most `limit` files in search order. */
  readonly files: ReadonlyArray<FileRecord>
  /** True when files beyond the last one returned may exist. */
  readonly more: boolean
}

/**
 * Port: where file records live. Every method fails `RepositoryError` when the store is unavailable.
 * Implementations pass core/test/contract/FileRepositoryContract.ts (memory, dynalite and DynamoDB Local do).
 */
export class FileRepository extends Context.Service<FileRepository, {
  /** Stores a new record; fails with WriteConflict if the id is taken. */
  create(record: FileRecord): Effect.Effect<void, WriteConflict | RepositoryError>
  /** The record, or none for an unknown id or another account's file. */
  get(accountId: AccountId, fileId: FileId): Effect.Effect<Option.Option<FileRecord>, RepositoryError>
  /** Replaces the record if its stored version is still `expectedVersion`. */
  transition(next: FileRecord, expectedVersion: number): Effect.Effect<void, WriteConflict | RepositoryError>
  /** Removes the record, returning what was removed. */
  delete(accountId: AccountId, fileId: FileId): Effect.Effect<Option.Option<FileRecord>, RepositoryError>
  /**
   * Records of the query's account and entity type whose `sortKey` starts with `prefix.match`, strictly
   * after `after`, in `compareSortKeys` order; tombstones included.
   */
  search(query: SearchQuery): Effect.Effect<SearchPage, RepositoryError>
  /** Records of any account whose `dueAt` is at or before `now`, soonest first. */
  listDue(now: number, limit: number): Effect.Effect<ReadonlyArray<FileRecord>, RepositoryError>
}>()("core/FileRepository") {}
