/**
 * The aws-mode layer: the table name it is given (the app reads MEDIA_TABLE), endpoint, region
 * and credentials from the AWS SDK's own env vars — pointed here at dynalite.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { FileRepository } from "@media-object-storage/core/ports/FileRepository"
import { ConfigProvider, Effect, Layer, Option } from "effect"
import { startDynalite } from "../../../test/support/dynamodbLocal.ts"
import { layer } from "../../src/dynamodb/DynamoFileRepository.ts"
import { DynamoTable, layerClient, localClientConfig } from "../../src/dynamodb/DynamoTable.ts"
import { tableReady } from "../../src/dynamodb/TableSchema.ts"
import { accountA, record, serverOnce } from "./fixtures.ts"

const server = serverOnce(() => startDynalite())
const sdkEnv = ["AWS_ENDPOINT_URL_DYNAMODB", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] as const
const saved = sdkEnv.map((name) => [name, process.env[name]] as const)

beforeAll(async () => {
  const endpoint = await server.endpoint()
  const config = localClientConfig(endpoint)
  // Create the table with an explicit client, as the embedded mode would.
  await Effect.runPromise(Layer.build(layerClient({ tableName: "media", clientConfig: config, ensureTable: true })).pipe(Effect.scoped))
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local"
  })
})

afterAll(async () => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
  await server.stop()
})

const withTable = (tableName: string) => layer(tableName)

describe("DynamoFileRepository.layer", () => {
  it.effect("uses the table it is given and finds the endpoint through the SDK's env vars", () =>
    Effect.gen(function*() {
      const repo = yield* FileRepository
      yield* repo.create(record(1))
      assert.isTrue(Option.isSome(yield* repo.get(accountA, record(1).fileId)))
      const { client, tableName } = yield* DynamoTable
      assert.strictEqual(tableName, "media")
      yield* tableReady(client, tableName)
    }).pipe(Effect.provide(withTable("media"))))


  it.effect("reports a missing table as not ready", () =>
    Effect.gen(function*() {
      const { client, tableName } = yield* DynamoTable
      const error = yield* tableReady(client, tableName).pipe(Effect.flip)
      assert.strictEqual(error.operation, "tableReady")
    }).pipe(Effect.provide(withTable("missing"))))
})
