/**
 * `/readyz` for both modes: ready when the metadata table answers.
 */
import { Effect, Layer } from "effect"
import { DynamoTable } from "@media-object-storage/adapters/dynamodb/DynamoTable"
import { tableReady } from "@media-object-storage/adapters/dynamodb/TableSchema"
import { Readiness } from "../http/Readiness.ts"

export const layer = Layer.effect(
  Readiness,
  Effect.gen(function*() {
    const table = yield* DynamoTable
    return Readiness.of({ check: tableReady(table.client, table.tableName) })
  })
)
