/**
 * The table's shape (keys and the two GSIs, see DynamoFileRepository) and the
 * operations around it: create it for local use, check it for /readyz.
 */
import { type CreateTableCommandInput, CreateTableCommand, DescribeTableCommand } from "@aws-sdk/client-dynamodb"
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb"
import { RepositoryError } from "@media-object-storage/core/ports/FileRepository"
import { Duration, Effect } from "effect"
import { send } from "./DynamoCall.ts"

export const searchIndex = "search"
export const dueIndex = "due"

const stringKeys = ["pk", "sk", "search_pk", "search_sk", "due_pk", "due_sk"] as const

const index = (IndexName: string, hash: string, range: string) => ({
  IndexName,
  KeySchema: [{ AttributeName: hash, KeyType: "HASH" as const }, { AttributeName: range, KeyType: "RANGE" as const }],
  Projection: { ProjectionType: "ALL" as const }
})

export const tableDefinition = (tableName: string): CreateTableCommandInput => ({
  TableName: tableName,
  BillingMode: "PAY_PER_REQUEST",
  AttributeDefinitions: stringKeys.map((AttributeName) => ({ AttributeName, AttributeType: "S" as const })),
  KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
  GlobalSecondaryIndexes: [index(searchIndex, "search_pk", "search_sk"), index(dueIndex, "due_pk", "due_sk")]
})

/**
 * Polls of a new table's status: 5 ms, doubling up to 200 ms, about 30 s in all. dynalite turns a
 * table ACTIVE a timer tick after creating it (one short poll, on every first start); DynamoDB
 * Local and AWS take from a moment to seconds.
 */
const pollDelayMillis = (poll: number) => Math.min(200, 5 * 2 ** poll)
const maxPolls = 160

/** Whether the table and all its indexes are ACTIVE; fails when it cannot be described (missing, unreachable). */
const isActive = (client: DynamoDBDocumentClient, tableName: string, operation: string) =>
  send(operation, (abortSignal) => client.send(new DescribeTableCommand({ TableName: tableName }), { abortSignal })).pipe(
    Effect.map(({ Table }) =>
      Table?.TableStatus === "ACTIVE" &&
      (Table.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === "ACTIVE")
    )
  )

/** Succeeds when the table is reachable and ACTIVE: the store's readiness check. */
export const tableReady = (client: DynamoDBDocumentClient, tableName: string) =>
  isActive(client, tableName, "tableReady").pipe(
    Effect.flatMap((active) =>
      active ? Effect.void : new RepositoryError({ operation: "tableReady", cause: new Error(`table ${tableName} is not ACTIVE`) })
    )
  )

/** Creates the table if it is missing (an existing one is kept as is) and waits, bounded, until it is ACTIVE. */
export const createTable = Effect.fn("DynamoTable.createTable")(function*(client: DynamoDBDocumentClient, tableName: string) {
  yield* send("createTable", (abortSignal) => client.send(new CreateTableCommand(tableDefinition(tableName)), { abortSignal })).pipe(
    Effect.catchIf(
      (e) => e.cause instanceof Error && e.cause.name === "ResourceInUseException",
      () => Effect.void
    )
  )
  for (let i = 0; i < maxPolls; i++) {
    if (yield* isActive(client, tableName, "createTable")) return
    yield* Effect.sleep(Duration.millis(pollDelayMillis(i)))
  }
  return yield* new RepositoryError({ operation: "createTable", cause: new Error(`table ${tableName} did not become ACTIVE`) })
})
