/**
 * The embedded metadata store: dynalite (a DynamoDB-compatible server on
 * LevelDB) inside this process, with the table created. By default the SDK
 * client hands its requests straight to dynalite's request listener (no
 * socket, see InProcessHandler); `transport: "http"` listens on a loopback
 * port instead, for callers that need a real endpoint.
 */
import type { DynamoDBClientConfig } from "@aws-sdk/client-dynamodb"
import { RepositoryError } from "@media-object-storage/core/ports/FileRepository"
import dynalite from "dynalite"
import db, { type DynaliteStore } from "dynalite/db/index.js"
import { Cause, Clock, Effect, Layer } from "effect"
import type { Server } from "node:http"
import type { AddressInfo } from "node:net"
import { causeChain, diskFault } from "../disk/DiskFault.ts"
import { DynamoTable, localClientConfig, makeDocumentClient } from "./DynamoTable.ts"
import { defaultRequestTimeout, inProcessAuthSchemes, makeInProcessHandler, type RequestListener } from "./InProcessHandler.ts"
import { guardLevel } from "./LevelFaults.ts"
import { createTable } from "./TableSchema.ts"
import { journal, settle } from "./WriteIntents.ts"

export interface DynaliteOptions {
  /** LevelDB directory (e.g. `$MEDIA_DATA_DIR/metadata`); in memory when absent. */
  readonly path?: string | undefined
  readonly tableName?: string | undefined
  /** "in-process" (the default): no socket; "http": a loopback port. */
  readonly transport?: "in-process" | "http" | undefined
  /** Milliseconds one request may take before it fails (and the SDK may retry it); 10 s by default. */
  readonly requestTimeout?: number | undefined
  /**
   * On disk: journal every item write's intent, and settle those a kill left at open (WriteIntents.ts).
   * True by default; false only to show what a kill does without them (tests).
   */
  readonly writeIntents?: boolean | undefined
}

/** Never contacted: the SDK needs an endpoint to build requests, the in-process handler ignores it. */
const inProcessEndpoint = "http://dynalite.invalid"

const startError = (cause: unknown) => new RepositoryError({ operation: "startDynalite", cause })

/** Why LevelDB would not open, in an operator's words: its lock is held, or the disk refuses (full, read-only, ...). */
export const whyNotOpen = (cause: unknown): string => {
  if (causeChain(cause).some((link) => (link as { code?: unknown } | null)?.code === "LEVEL_LOCKED")) {
    return "its lock is held (is another server using this data directory?)"
  }
  const fault = diskFault(cause)
  if (fault !== undefined) return fault.description
  const innermost = causeChain(cause).at(-1)
  return innermost instanceof Error ? innermost.message : String(innermost)
}

// dynalite closes its LevelDB only from server.close(), which on a server that
// never listened fails before reaching the store (leaving the LevelDB lock held,
// so the same directory cannot be reopened). So keep the store dynalite creates:
// its `db.create` is swapped, for this one synchronous call, for one that records it.
const open = (options: DynaliteOptions) =>
  Effect.suspend(() => {
    const create = db.create
    let store: DynaliteStore | undefined
    db.create = (storeOptions) => {
      db.create = create
      store = create(storeOptions)
      return store
    }
    const server = dynalite({
      ...(options.path === undefined ? {} : { path: options.path }),
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0
    })
    db.create = create
    return store === undefined
      ? Effect.fail(startError(new Error("dynalite did not create its store through db.create")))
      : Effect.succeed({ server, store })
  })

const closeStore = (store: DynaliteStore) =>
  Effect.callback<void>((resume) => store.lifecycleManager.gracefulClose(() => resume(Effect.void)))

const listen = (server: Server) =>
  Effect.tryPromise({
    try: () =>
      new Promise<AddressInfo>((resolve, reject) => {
        server.once("error", reject)
        server.listen(0, "127.0.0.1", () => resolve(server.address() as AddressInfo))
      }),
    catch: startError
  })

// Keep-alive sockets would otherwise hold close() open; dynalite then closes its LevelDB.
const close = (server: Server) =>
  Effect.callback<void>((resume) => {
    server.closeAllConnections()
    server.close(() => resume(Effect.void))
  })

/** dynalite for the life of the scope, and the client config that reaches it. */
export const makeDynalite = Effect.fn("makeDynalite")(function*(options: DynaliteOptions = {}) {
  const { server, store } = yield* Effect.acquireRelease(open(options), ({ server, store }) =>
    server.listening ? close(server) : closeStore(store))
  // Before any request: dynalite throws its store's errors from callbacks, which would end the process
  // with "Database is closed" rather than say why (another server holding the lock, a full disk, ...).
  yield* Effect.tryPromise({
    // A passive open that fails says only "not open" (the opening dynalite started swallowed the reason);
    // opening once more, actively, fails again with the reason attached (or succeeds, if the cause passed).
    try: () => store.db.open({ passive: true }).catch(() => store.db.open()),
    catch: (cause) =>
      startError(new Error(
        `cannot open the metadata store${options.path === undefined ? "" : ` at ${options.path}`}: ${whyNotOpen(cause)}`,
        { cause }
      ))
  })
  // From here on a LevelDB failure (a full or read-only disk) fails its request instead of the process.
  const runFork = Effect.runForkWith(yield* Effect.context<never>())
  const guard = options.path === undefined ? undefined : guardLevel(store, {
    path: options.path,
    onBroken: (cause) =>
      runFork(Effect.logError(
        `the metadata store could not write (${diskFault(cause)?.description ?? "I/O error"}); ` +
          "it takes no writes until it has recovered, which the first request after space returns does",
        Cause.fail(cause)
      )),
    onRecovered: () => runFork(Effect.logWarning("the metadata store recovered from a failed write and takes writes again"))
  })
  // Before any request: the writes a kill cut off are settled, and every write from now on is journaled.
  const writeIntents = options.path === undefined || options.writeIntents === false ? undefined : yield* Effect.gen(function*() {
    const report = yield* settle(store)
    const flush = yield* journal(store, (yield* Clock.currentTimeMillis).toString(36))
    // Released after the request handler (no write in flight any more), before the store closes.
    yield* Effect.addFinalizer(() => flush)
    return report
  })
  const requestTimeout = options.requestTimeout ?? defaultRequestTimeout
  if (options.transport === "http") {
    const { port } = yield* listen(server)
    return { server, guard, writeIntents, clientConfig: localClientConfig(`http://127.0.0.1:${port}`, { requestTimeout }) }
  }
  const listener = server.listeners("request")[0] as RequestListener | undefined
  if (listener === undefined) return yield* Effect.fail(startError(new Error("dynalite's server has no request listener")))
  // Released before the store: new requests are refused and those at work finish first.
  const requestHandler = yield* Effect.acquireRelease(
    Effect.sync(() => makeInProcessHandler(listener, { requestTimeout })),
    (handler) => Effect.promise(handler.close)
  )
  // No SigV4 signing: dynalite never checks a signature (see inProcessAuthSchemes).
  const clientConfig: DynamoDBClientConfig = { ...localClientConfig(inProcessEndpoint), requestHandler, httpAuthSchemes: inProcessAuthSchemes }
  return { server, guard, writeIntents, clientConfig }
})

/**
 * dynalite turns a new table ACTIVE one timer tick after answering CreateTable;
 * an in-process client asks before that, so createTable polls once more, and
 * that poll's sleep must pass in real time even under a test's TestClock.
 */
export const liveClock = Effect.provideService(Clock.Clock, Clock.Clock.defaultValue())

/** dynalite for the life of the scope, as a DynamoTable (the table is created if missing). */
export const layerDynalite = (options: DynaliteOptions = {}) =>
  Layer.effect(
    DynamoTable,
    Effect.gen(function*() {
      const { clientConfig, guard, writeIntents } = yield* makeDynalite(options)
      const client = yield* makeDocumentClient(clientConfig)
      const tableName = options.tableName ?? "media"
      yield* createTable(client, tableName).pipe(liveClock)
      if (guard === undefined) return DynamoTable.of({ client, tableName, writeIntents })
      const writable = Effect.promise(guard.recover).pipe(
        Effect.flatMap((healthy) =>
          healthy ? Effect.void : Effect.fail(new RepositoryError({ operation: "writable", cause: guard.failure() }))
        )
      )
      return DynamoTable.of({ client, tableName, writable, writeIntents })
    })
  )
