/** The embedded-mode layer: dynalite in process, on disk, surviving a restart. */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { FileRepository } from "@media-object-storage/core/ports/FileRepository"
import { Effect, Layer, Option } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { layerDynalite } from "../../src/dynamodb/DynaliteFileRepository.ts"
import { DynamoTable } from "../../src/dynamodb/DynamoTable.ts"
import { tableReady } from "../../src/dynamodb/TableSchema.ts"
import { accountA, record } from "./fixtures.ts"

const dir = mkdtempSync(join(tmpdir(), "media-dynalite-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("DynamoFileRepository.layerDynalite", () => {
  it.effect("keeps records on disk across a restart", () =>
    Effect.gen(function*() {
      const path = join(dir, "metadata")
      const first = Effect.gen(function*() {
        const repo = yield* FileRepository
        yield* repo.create(record(1, { dueAt: 5 }))
        const { client, tableName } = yield* DynamoTable
        yield* tableReady(client, tableName)
      })
      yield* Effect.scoped(Layer.build(layerDynalite({ path })).pipe(Effect.flatMap((context) => first.pipe(Effect.provide(context)))))
      const second = Effect.gen(function*() {
        const repo = yield* FileRepository
        assert.deepStrictEqual(yield* repo.get(accountA, record(1).fileId), Option.some(record(1, { dueAt: 5 })))
        assert.strictEqual((yield* repo.listDue(5, 10)).length, 1)
      })
      yield* second.pipe(Effect.provide(layerDynalite({ path })))
    }))

  it.effect("refuses, with a clear error, a directory another store holds", () =>
    Effect.gen(function*() {
      const path = join(dir, "held")
      yield* Layer.build(layerDynalite({ path }))
      const error = yield* Effect.flip(Layer.build(layerDynalite({ path })))
      assert.strictEqual(error._tag, "RepositoryError")
      assert.include(String((error.cause as Error).message), "is another server using this data directory?")
    }).pipe(Effect.scoped))

  it.effect("runs in memory without a path", () =>
    Effect.gen(function*() {
      const repo = yield* FileRepository
      yield* repo.create(record(2))
      assert.isTrue(Option.isSome(yield* repo.get(accountA, record(2).fileId)))
    }).pipe(Effect.provide(layerDynalite())))
})
