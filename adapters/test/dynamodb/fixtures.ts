/**
 * Test wiring for the DynamoDB adapter: one local server per test file, a fresh
 * table per layer build (so listDue, which spans accounts, sees only its test's
 * files), and a record builder.
 */
import type { DynamoDBClientConfig } from "@aws-sdk/client-dynamodb"
import type { EntityKey } from "@media-object-storage/core/EntityKey"
import type { FileRecord } from "@media-object-storage/core/FileRecord"
import type { AccountId, FileId } from "@media-object-storage/core/Ids"
import { FileRepository } from "@media-object-storage/core/ports/FileRepository"
import { Clock, Effect, Layer } from "effect"
import type { LocalDynamo } from "../../../test/support/dynamodbLocal.ts"
import { make } from "../../src/dynamodb/DynamoFileRepository.ts"
import { DynamoTable, layerClient, localClientConfig } from "../../src/dynamodb/DynamoTable.ts"

/** Starts the server on first use; `stop` is for afterAll. */
export const serverOnce = (start: () => Promise<LocalDynamo>) => {
  let server: Promise<LocalDynamo> | undefined
  return {
    endpoint: () => (server ??= start()).then((s) => s.endpoint),
    stop: () => server?.then((s) => s.stop()) ?? Promise.resolve()
  }
}

let tables = 0

/** How a suite reaches its store: a loopback endpoint, or a whole client config (the in-process transport). */
export type LocalStore = () => Promise<string | DynamoDBClientConfig>

/** A new table on the server, with the repository over it (and DynamoTable, for raw access). */
export const freshRepository = (store: LocalStore, options: { pageSize?: number } = {}) =>
  Layer.unwrap(Effect.gen(function*() {
    const target = yield* Effect.promise(store)
    // Built on the live clock: a new dynalite table turns ACTIVE a timer tick after CreateTable,
    // an in-process client polls before that, and the poll's sleep must not wait on a TestClock.
    const table = layerClient({
      tableName: `media-test-${++tables}`,
      clientConfig: typeof target === "string" ? localClientConfig(target) : target,
      ensureTable: true
    }).pipe(Layer.provide(Layer.succeed(Clock.Clock, Clock.Clock.defaultValue())))
    const repository = Layer.effect(FileRepository, Effect.gen(function*() {
      const { client, tableName } = yield* DynamoTable
      return yield* make({ client, tableName, pageSize: options.pageSize })
    }))
    return repository.pipe(Layer.provideMerge(table))
  }))

export const accountA = "acc-a" as AccountId
export const accountB = "acc-b" as AccountId

export const fileId = (n: number): FileId =>
  `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}` as FileId

export const record = (n: number, overrides: Partial<FileRecord> = {}): FileRecord => ({
  fileId: fileId(n),
  accountId: accountA,
  entityType: "shipment_item",
  entityId: "S1|SKU-1|DAMAGED|D1" as EntityKey,
  contentType: "image/png",
  status: "uploading",
  fileSize: 0,
  createdAt: 1_000,
  updatedAt: 1_000,
  version: 0,
  attempts: 0,
  uploadExpiresAt: 1_900,
  ...overrides
})
