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
 * so this runs only after an unclean stop, never on every start.
 */
import { PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb"
import { Effect } from "effect"
import { isConditionalCheckFailed, send } from "./DynamoCall.ts"
import type { DynamoTable } from "./DynamoTable.ts"

/** Stops a runaway scan (1 MB per page: far beyond any embedded table). */
const maxPages = 100_000

export interface RepairReport {
  readonly scanned: number
  readonly rewritten: number
}

export const repairDueIndex = Effect.fn("DynamoTable.repairDueIndex")(function*(table: DynamoTable["Service"]) {
  const { client, tableName } = table
  let start: Record<string, unknown> | undefined
  let scanned = 0
  let rewritten = 0
  for (let page = 0; page < maxPages; page++) {
    const out = yield* send("repairDueIndex", (abortSignal) =>
      client.send(new ScanCommand({
        TableName: tableName,
        FilterExpression: "attribute_exists(due_sk)",
        ...(start === undefined ? {} : { ExclusiveStartKey: start })
      }), { abortSignal }))
    scanned += out.ScannedCount ?? 0
    for (const item of out.Items ?? []) {
      // Unchanged, and only if no one wrote it meanwhile (a newer write re-derived the index itself).
      yield* send("repairDueIndex", (abortSignal) =>
        client.send(new PutCommand({
          TableName: tableName,
          Item: item,
          ConditionExpression: "#version = :version",
          ExpressionAttributeNames: { "#version": "version" },
          ExpressionAttributeValues: { ":version": item["version"] }
        }), { abortSignal }).then(() => true, (cause: unknown) => {
          if (isConditionalCheckFailed(cause)) return false
          throw cause
        })).pipe(Effect.tap((written) => Effect.sync(() => { if (written) rewritten++ })))
    }
    start = out.LastEvaluatedKey
    if (start === undefined) break
  }
  return { scanned, rewritten } satisfies RepairReport
})
