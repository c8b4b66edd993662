/**
 * The DynamoDB table the adapters talk to: a document client plus the table
 * name, as a service so readiness checks and repositories share one client.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb"
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb"
import type { RepositoryError } from "@media-object-storage/core/ports/FileRepository"
import { Config, Context, Effect, Layer } from "effect"
import { createTable } from "./TableSchema.ts"
import type { SettleReport } from "./WriteIntents.ts"

export class DynamoTable extends Context.Service<DynamoTable, {
  readonly client: DynamoDBDocumentClient
  readonly tableName: string
  /**
   * Embedded store only: fails while the store refuses writes (after a write its disk failed,
   * until it recovers). Checking also tries to recover, so a readiness probe brings it back.
   */
  readonly writable?: Effect.Effect<void, RepositoryError> | undefined
  /**
   * Embedded store on disk only: what its open did with the write intents the last run left
   * (WriteIntents.ts). Absent where the store keeps its indexes itself (DynamoDB) or journals nothing.
   */
  readonly writeIntents?: SettleReport | undefined
}>()("adapters/DynamoTable") {}

export interface DynamoTableOptions {
  readonly tableName: string
  /** Passed to the SDK; omitted fields come from its own env vars (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB, …). */
  readonly clientConfig?: DynamoDBClientConfig | undefined
  /** Create the table (and its indexes) if it is missing: for embedded and local stores. */
  readonly ensureTable?: boolean | undefined
}

/**
 * Client config for a local server (dynalite, DynamoDB Local). DynamoDB Local
 * keeps one database per access key + region, so every client of one local
 * store must use these same dummy values. Each request is bounded (10 s by
 * default; the SDK sets no bound), so a server that never answers fails the
 * call with a retryable TimeoutError instead of hanging it.
 */
export const localClientConfig = (endpoint: string, options: { readonly requestTimeout?: number } = {}): DynamoDBClientConfig => ({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
  requestHandler: { requestTimeout: options.requestTimeout ?? 10_000, throwOnRequestTimeout: true, connectionTimeout: 5_000 }
})

/** A document client for the life of the scope; undefined attributes are dropped, as the record omits them. */
export const makeDocumentClient = (config: DynamoDBClientConfig = {}) =>
  Effect.acquireRelease(
    Effect.sync(() => new DynamoDBClient(config)),
    (client) => Effect.sync(() => client.destroy())
  ).pipe(Effect.map((client) =>
    DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } })
  ))

/** An explicitly configured table. */
export const layerClient = (options: DynamoTableOptions) =>
  Layer.effect(
    DynamoTable,
    Effect.gen(function*() {
      const client = yield* makeDocumentClient(options.clientConfig)
      if (options.ensureTable === true) yield* createTable(client, options.tableName)
      return DynamoTable.of({ client, tableName: options.tableName })
    })
  )

