/**
 * Index repair after an unclean stop of the embedded store. dynalite keeps a
 * global secondary index by writing, one after another, the index deletions,
 * the index puts and then the item: a process killed between them leaves an
 * item whose `due` entry is gone, and the sweeper, which finds work through
 * that index, would never see the file again. Writing such an item again,
 * unchanged, makes dynalite derive its index entries afresh.
 *
 * Only items with `dueAt` matter (every file still moving, and final files
 * whose clean-up is not yet recorded): the last write to any other item
 * finished before the crash, or it was a delete. The whole table is scanned,
 * so this runs only after an unclean stop of a store written without write
 * intents (an older version); a journaled store settles just the writes that
 * were in flight as it opens (WriteIntents.ts).
 *
 * A kill after the index puts but before the item leaves the opposite: an
 * index entry no item owns (an orphan), which the sweeper would list, and find
 * nothing to do for, on every sweep for good. The index cannot be written
 * directly, so each orphan is taken over: the item is written once with the
 * orphan's index key (dynalite replaces the orphan) and once as it really is
 * (dynalite removes it); an orphan of a deleted file is written and deleted.
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, ScanCommand } from "@aws-sdk/lib-dynamodb"
import { Effect, Stream } from "effect"
import type { RepositoryError } from "@media-object-storage/core/ports/FileRepository"
import { send, sendConditional } from "./DynamoCall.ts"
import type { DynamoTable } from "./DynamoTable.ts"
import { dueShards, duePk } from "./FileItem.ts"
import { type Item, itemsOf, pages } from "./QueryPages.ts"
import { dueIndex } from "./TableSchema.ts"

/** Stops a runaway scan (1 MB per page: far beyond any embedded table). */
const maxPages = 100_000

export interface RepairReport {
  readonly scanned: number
  readonly rewritten: number
  readonly orphansRemoved: number
}

type Table = DynamoTable["Service"]

/** Writes `item` only if the stored one still has `version` (or, with undefined, if there is none); false when not. */
const putIf = (table: Table, item: Item, version: unknown) =>
  sendConditional("repairDueIndex", String(item["fileId"]), (abortSignal) =>
    table.client.send(new PutCommand({
      TableName: table.tableName,
      Item: item,
      ...(version === undefined
        ? { ConditionExpression: "attribute_not_exists(pk)" }
        : {
          ConditionExpression: "#version = :version",
          ExpressionAttributeNames: { "#version": "version" },
          ExpressionAttributeValues: { ":version": version }
        })
    }), { abortSignal })).pipe(
      Effect.as(true),
      Effect.catchTag("WriteConflict", () => Effect.succeed(false))
    )

/** Removes one `due` entry no item owns, by writing the item it names with that entry's key and then without. */
const removeOrphan = Effect.fnUntraced(function*(table: Table, entry: Item) {
  const key = { pk: entry["pk"], sk: entry["sk"] }
  const out = yield* send("repairDueIndex", (abortSignal) =>
    table.client.send(new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }), { abortSignal }))
  const item = out.Item
  if (item !== undefined && item["due_sk"] === entry["due_sk"]) return false
  if (item === undefined) {
    // A deleted file: the entry's copy of it comes back for a moment, then goes with its index entries.
    if (!(yield* putIf(table, entry, undefined))) return false
    yield* send("repairDueIndex", (abortSignal) =>
      table.client.send(new DeleteCommand({ TableName: table.tableName, Key: key }), { abortSignal }))
    return true
  }
  const version = item["version"]
  if (!(yield* putIf(table, { ...item, due_pk: entry["due_pk"], due_sk: entry["due_sk"] }, version))) return false
  return yield* putIf(table, item, version)
})

/** Every `due` entry, shard by shard, page by page. */
const dueEntries = (table: Table): Effect.Effect<ReadonlyArray<Item>, RepositoryError> =>
  Stream.fromIterable(Array.from({ length: dueShards }, (_, shard) => shard)).pipe(
    Stream.flatMap((shard) =>
      pages((start) =>
        send("repairDueIndex", (abortSignal) =>
          table.client.send(new QueryCommand({
            TableName: table.tableName,
            IndexName: dueIndex,
            KeyConditionExpression: "due_pk = :pk",
            ExpressionAttributeValues: { ":pk": duePk(shard) },
            ...(start === undefined ? {} : { ExclusiveStartKey: start })
          }), { abortSignal })), { maxPages })
    ),
    Stream.runCollect,
    Effect.map((read) => read.flatMap(itemsOf))
  )

/** Every item with a due time, page by page, written again unchanged: how many were scanned and rewritten. */
const rewriteDueItems = (table: Table): Effect.Effect<{ readonly scanned: number; readonly rewritten: number }, RepositoryError> =>
  pages((start) =>
    send("repairDueIndex", (abortSignal) =>
      table.client.send(new ScanCommand({
        TableName: table.tableName,
        FilterExpression: "attribute_exists(due_sk)",
        ...(start === undefined ? {} : { ExclusiveStartKey: start })
      }), { abortSignal })), { maxPages }).pipe(
      Stream.runFoldEffect(() => ({ scanned: 0, rewritten: 0 }), (counts, page) =>
        // Unchanged, and only if no one wrote it meanwhile (a newer write re-derived the index itself).
        Effect.map(
          Effect.filter(itemsOf(page), (item) => putIf(table, item, item["version"])),
          (written) => ({ scanned: counts.scanned + (page.output.ScannedCount ?? 0), rewritten: counts.rewritten + written.length })
        ))
    )

export const repairDueIndex = Effect.fn("DynamoTable.repairDueIndex")(function*(
  table: Table
): Effect.fn.Return<RepairReport, RepositoryError> {
  const { scanned, rewritten } = yield* rewriteDueItems(table)
  const removed = yield* Effect.filter(yield* dueEntries(table), (entry) => removeOrphan(table, entry))
  return { scanned, rewritten, orphansRemoved: removed.length }
})
