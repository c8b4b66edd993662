/**
 * FileRepository on DynamoDB (AWS, DynamoDB Local, dynalite).
 * (The dynalite-backed layer lives in DynaliteFileRepository.ts, so aws code never loads dynalite.)
 *
 * Layout — one table, string keys `pk`, `sk`:
 * - File item: pk = `FILE#<accountId>#<fileId>`, sk = `FILE`; the record's
 *   fields are plain attributes. get / transition / delete go by this key;
 *   reads are strongly consistent.
 * - GSI `search` (projection ALL): search_pk = `<accountId>#<entityType>`,
 *   search_sk = sortKey(entity_id, created_at, file_id) from core/SortPosition,
 *   which sorts in SPEC §3 order because DynamoDB compares strings by UTF-8
 *   bytes. A search is a Query with `begins_with(search_sk, prefix.match)`,
 *   resumed after the cursor position by an ExclusiveStartKey built from it
 *   (index keys + that file's table keys). Pages are filled across short
 *   DynamoDB pages, asking for limit+1 items so `more` is exact.
 * - GSI `due` (projection ALL, sparse — only items with `dueAt`):
 *   due_pk = `DUE#<n>`, n = hash(fileId) mod 8, so due writes spread over 8
 *   partitions; due_sk = dueAt (12 digits) + `#` + fileId. listDue queries each
 *   shard for due_sk <= now, merges by due_sk, keeps `limit`. A record without
 *   dueAt is written without due_pk/due_sk (PutItem replaces the whole item),
 *   so final files leave the index.
 * - GSIs are eventually consistent on AWS: a search or listDue may miss a
 *   write of the last moments (dynalite and DynamoDB Local apply them at once).
 *   The sweeper re-reads each due file by key before acting, so a stale index
 *   entry costs a wasted read, never a wrong transition.
 * - Index sort keys are limited to 1024 bytes: an entity id above ~970 UTF-8
 *   bytes (possible within SPEC's 512 characters only with non-ASCII text)
 *   is refused by DynamoDB (ValidationException -> RepositoryError).
 *
 * Writes are single-item conditional writes (no transactions: dynalite has
 * none): create is PutItem if attribute_not_exists(pk); transition is PutItem
 * if version = expectedVersion (a missing item fails too); a failed condition
 * is WriteConflict, every other error RepositoryError. delete is DeleteItem
 * returning ALL_OLD. Items are decoded with the core FileRecord schema; a
 * malformed item is a RepositoryError, never a crash.
 */
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb"
import type { FileRecord } from "@media-object-storage/core/FileRecord"
import type { AccountId, FileId } from "@media-object-storage/core/Ids"
import { FileRepository, type SearchQuery } from "@media-object-storage/core/ports/FileRepository"
import { compareCodePoints, sortKey } from "@media-object-storage/core/SortPosition"
import { Effect, Layer, Option } from "effect"
import { send, sendConditional } from "./DynamoCall.ts"
import { DynamoTable, type DynamoTableOptions, layerClient as tableLayerClient } from "./DynamoTable.ts"
import { dueShards, duePk, dueSkUpTo, fileKey, fromItem, searchPk, searchStartKey, toItem } from "./FileItem.ts"
import { collectQuery } from "./QueryPages.ts"
import { dueIndex, searchIndex } from "./TableSchema.ts"

export interface DynamoFileRepositoryOptions {
  readonly client: DynamoDBDocumentClient
  readonly tableName: string
  /** Most items asked of one Query request; tests set it low to force short pages. */
  readonly pageSize?: number | undefined
}

export const make = (options: DynamoFileRepositoryOptions) =>
  Effect.sync(() => {
    const { client, tableName } = options
    const pageSize = options.pageSize ?? 1000

    const create = Effect.fnUntraced(function*(record: FileRecord) {
      yield* sendConditional("create", record.fileId, (abortSignal) =>
        client.send(new PutCommand({
          TableName: tableName,
          Item: toItem(record),
          ConditionExpression: "attribute_not_exists(pk)"
        }), { abortSignal }))
    })

    const get = Effect.fnUntraced(function*(accountId: AccountId, fileId: FileId) {
      const out = yield* send("get", (abortSignal) =>
        client.send(new GetCommand({ TableName: tableName, Key: fileKey(accountId, fileId), ConsistentRead: true }), {
          abortSignal
        }))
      return out.Item === undefined ? Option.none() : Option.some(yield* fromItem("get")(out.Item))
    })

    const transition = Effect.fnUntraced(function*(next: FileRecord, expectedVersion: number) {
      yield* sendConditional("transition", next.fileId, (abortSignal) =>
        client.send(new PutCommand({
          TableName: tableName,
          Item: toItem(next),
          ConditionExpression: "#version = :expected",
          ExpressionAttributeNames: { "#version": "version" },
          ExpressionAttributeValues: { ":expected": expectedVersion }
        }), { abortSignal }))
    })

    const remove = Effect.fnUntraced(function*(accountId: AccountId, fileId: FileId) {
      const out = yield* send("delete", (abortSignal) =>
        client.send(new DeleteCommand({ TableName: tableName, Key: fileKey(accountId, fileId), ReturnValues: "ALL_OLD" }), {
          abortSignal
        }))
      return out.Attributes === undefined ? Option.none() : Option.some(yield* fromItem("delete")(out.Attributes))
    })

    const search = Effect.fnUntraced(function*(query: SearchQuery) {
      const match = query.prefix.match
      const after = query.after === undefined ? undefined : sortKey(query.after)
      // DynamoDB refuses a start key outside the key condition: a position before the
      // prefix's range means "from the start", one past it means "nothing left".
      const inRange = after !== undefined && after.startsWith(match)
      if (after !== undefined && !inRange && compareCodePoints(after, match) > 0) return { files: [], more: false }
      const { exhausted, items } = yield* collectQuery(client, {
        TableName: tableName,
        IndexName: searchIndex,
        KeyConditionExpression: "search_pk = :pk AND begins_with(search_sk, :match)",
        ExpressionAttributeValues: { ":pk": searchPk(query.accountId, query.entityType), ":match": match },
        ExclusiveStartKey: inRange ? searchStartKey(query.accountId, query.entityType, query.after!) : undefined
      }, query.limit + 1, pageSize, "search")
      const files = yield* Effect.forEach(items.slice(0, query.limit), fromItem("search"))
      return { files, more: items.length > query.limit || !exhausted }
    })

    const queryShard = (shard: number, now: number, limit: number) =>
      collectQuery(client, {
        TableName: tableName,
        IndexName: dueIndex,
        KeyConditionExpression: "due_pk = :pk AND due_sk <= :upTo",
        ExpressionAttributeValues: { ":pk": duePk(shard), ":upTo": dueSkUpTo(now) }
      }, limit, pageSize, "listDue")

    const listDue = Effect.fnUntraced(function*(now: number, limit: number) {
      const shards = Array.from({ length: dueShards }, (_, shard) => shard)
      const pages = yield* Effect.forEach(shards, (shard) => queryShard(shard, now, limit), { concurrency: dueShards })
      const soonest = pages.flatMap((page) => page.items)
        .sort((a, b) => compareCodePoints(String(a["due_sk"]), String(b["due_sk"])))
        .slice(0, limit)
      return yield* Effect.forEach(soonest, fromItem("listDue"))
    })

    return FileRepository.of({ create, get, transition, delete: remove, search, listDue })
  })

/** The repository over whatever DynamoTable is provided. */
export const layerNoDeps = Layer.effect(
  FileRepository,
  Effect.gen(function*() {
    const table = yield* DynamoTable
    return yield* make({ client: table.client, tableName: table.tableName })
  })
)

/**
 * aws mode: the table named `tableName` (the app reads MEDIA_TABLE), the client from the SDK's own
 * env vars (region, endpoint, credentials). Also provides DynamoTable (for /readyz).
 */
export const layer = (tableName: string) => layerNoDeps.pipe(Layer.provideMerge(tableLayerClient({ tableName })))

/** An explicitly configured client, e.g. `{ tableName, clientConfig: localClientConfig(endpoint), ensureTable: true }`. */
export const layerClient = (options: DynamoTableOptions) => layerNoDeps.pipe(Layer.provideMerge(tableLayerClient(options)))
