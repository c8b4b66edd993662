/**
 * The embedded metadata store: dynalite (a DynamoDB-compatible server on
 * LevelDB) inside this process, on a loopback port, with the table created.
 */
import { RepositoryError } from "@media/core/ports/FileRepository"
import dynalite from "dynalite"
import { Effect, Layer } from "effect"
import type { Server } from "node:http"
import type { AddressInfo } from "node:net"
import { DynamoTable, localClientConfig, makeDocumentClient } from "./DynamoTable.ts"
import { createTable } from "./TableSchema.ts"

export interface DynaliteOptions {
  /** LevelDB directory (e.g. `$MEDIA_DATA_DIR/metadata`); in memory when absent. */
  readonly path?: string | undefined
  readonly tableName?: string | undefined
}

const listen = (server: Server) =>
  Effect.tryPromise({
    try: () =>
      new Promise<AddressInfo>((resolve, reject) => {
        server.once("error", reject)
        server.listen(0, "127.0.0.1", () => resolve(server.address() as AddressInfo))
      }),
    catch: (cause) => new RepositoryError({ operation: "startDynalite", cause })
  })

// Keep-alive sockets would otherwise hold close() open; dynalite then closes its LevelDB.
const close = (server: Server) =>
  Effect.callback<void>((resume) => {
    server.closeAllConnections()
    server.close(() => resume(Effect.void))
  })

/** dynalite for the life of the scope, as a DynamoTable (the table is created if missing). */
export const layerDynalite = (options: DynaliteOptions = {}) =>
  Layer.effect(
    DynamoTable,
    Effect.gen(function*() {
      const server = yield* Effect.acquireRelease(
        Effect.sync(() =>
          dynalite({ ...(options.path === undefined ? {} : { path: options.path }), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
        ),
        close
      )
      const { port } = yield* listen(server)
      const client = yield* makeDocumentClient(localClientConfig(`http://127.0.0.1:${port}`))
      const tableName = options.tableName ?? "media"
      yield* createTable(client, tableName)
      return DynamoTable.of({ client, tableName })
    })
  )
