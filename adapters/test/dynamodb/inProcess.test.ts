/**
 * The DynamoDB adapter against dynalite through the in-process transport (the
 * embedded mode's default): the whole contract and adapter suites, the SDK's
 * own error types coming back through it, and no socket opened.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb"
import { Effect, Exit, Scope } from "effect"
import { fileRepositoryContract } from "../../../core/test/contract/FileRepositoryContract.ts"
import { layerDynalite, makeDynalite } from "../../src/dynamodb/DynaliteServer.ts"
import { DynamoTable } from "../../src/dynamodb/DynamoTable.ts"
import { adapterSuite } from "./adapterSuite.ts"
import { freshRepository, type LocalStore } from "./fixtures.ts"

// One in-memory dynalite for the suites of this file, closed after them.
const scope = Scope.makeUnsafe()
let started: Promise<Effect.Success<ReturnType<typeof makeDynalite>>> | undefined
const store: LocalStore = () => (started ??= Effect.runPromise(makeDynalite().pipe(Scope.provide(scope)))).then((d) => d.clientConfig)
afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))

fileRepositoryContract("dynalite (in-process)", freshRepository(store))
adapterSuite("dynalite (in-process)", store)

/** The error an SDK call failed with (the test fails if it succeeded). */
const sdkError = (call: () => Promise<unknown>) =>
  Effect.tryPromise({ try: call, catch: (error) => error as Error }).pipe(Effect.flip)

describe("dynalite (in-process) transport", () => {
  it.effect("opens no socket, and serves the SDK", () =>
    Effect.gen(function*() {
      const { server } = yield* makeDynalite()
      assert.isFalse(server.listening)
      assert.isNull(server.address())
      const { client, tableName } = yield* DynamoTable
      yield* Effect.promise(() => client.send(new PutCommand({ TableName: tableName, Item: { pk: "p", sk: "s", n: 1 } })))
      const { Item } = yield* Effect.promise(() => client.send(new GetCommand({ TableName: tableName, Key: { pk: "p", sk: "s" } })))
      assert.deepStrictEqual(Item, { pk: "p", sk: "s", n: 1 })
    }).pipe(Effect.provide(layerDynalite()), Effect.scoped))

  it.effect("a failed condition comes back as the SDK's ConditionalCheckFailedException", () =>
    Effect.gen(function*() {
      const { client, tableName } = yield* DynamoTable
      const put = () =>
        client.send(new PutCommand({ TableName: tableName, Item: { pk: "p", sk: "s" }, ConditionExpression: "attribute_not_exists(pk)" }))
      yield* Effect.promise(put)
      const error = yield* sdkError(put)
      assert.strictEqual(error.name, "ConditionalCheckFailedException")
      assert.strictEqual((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, 400)
    }).pipe(Effect.provide(layerDynalite())))

  it.effect("an unknown table comes back as ResourceNotFoundException", () =>
    Effect.gen(function*() {
      const { client } = yield* DynamoTable
      const error = yield* sdkError(() => client.send(new GetCommand({ TableName: "no-such-table", Key: { pk: "p", sk: "s" } })))
      assert.strictEqual(error.name, "ResourceNotFoundException")
    }).pipe(Effect.provide(layerDynalite())))

  it.effect("a request aborted by its caller rejects with AbortError", () =>
    Effect.gen(function*() {
      const { client, tableName } = yield* DynamoTable
      const controller = new AbortController()
      controller.abort()
      const error = yield* sdkError(() =>
        client.send(new GetCommand({ TableName: tableName, Key: { pk: "p", sk: "s" } }), { abortSignal: controller.signal })
      )
      assert.strictEqual(error.name, "AbortError")
    }).pipe(Effect.provide(layerDynalite())))

  it.effect("transport http listens on loopback and serves the same table", () =>
    Effect.gen(function*() {
      const { server, clientConfig } = yield* makeDynalite({ transport: "http" })
      assert.isTrue(server.listening)
      assert.match(String(clientConfig.endpoint), /^http:\/\/127\.0\.0\.1:\d+$/)
      const { client, tableName } = yield* DynamoTable
      yield* Effect.promise(() => client.send(new PutCommand({ TableName: tableName, Item: { pk: "h", sk: "s" } })))
      const { Item } = yield* Effect.promise(() => client.send(new GetCommand({ TableName: tableName, Key: { pk: "h", sk: "s" } })))
      assert.deepStrictEqual(Item, { pk: "h", sk: "s" })
    }).pipe(Effect.provide(layerDynalite({ transport: "http" })), Effect.scoped))
})
