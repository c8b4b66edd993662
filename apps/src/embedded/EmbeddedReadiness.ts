/**
 * `/readyz` in embedded mode: ready when the metadata table answers and takes
 * writes, and the disk store under `root` can take objects (not removed,
 * writable, not full).
 */
import { Effect, Layer } from "effect"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { checkWritable } from "@media-object-storage/adapters/disk/DiskObjectStore"
import { DynamoTable } from "@media-object-storage/adapters/dynamodb/DynamoTable"
import { tableReady } from "@media-object-storage/adapters/dynamodb/TableSchema"
import { Readiness } from "../http/Readiness.ts"

/** Readiness over the embedded metadata store (DynamoTable) and the disk store's objects directory `root`. */
export const layer = (root: string) =>
  Layer.effect(
    Readiness,
    Effect.gen(function*() {
      const table = yield* DynamoTable
      const objects = checkWritable(root).pipe(Effect.provide(NodeFileSystem.layer))
      return Readiness.of({
        check: Effect.all([tableReady(table.client, table.tableName), table.writable ?? Effect.void, objects], {
          concurrency: 3,
          discard: true
        })
      })
    })
  )
