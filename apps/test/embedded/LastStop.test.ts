import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DynamoTable } from "@media-object-storage/adapters/dynamodb/DynamoTable"
import { LastStop, markerName, repairAfterUncleanStop } from "../../src/embedded/LastStop.ts"

const tempDir = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "media-laststop-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

const lastStop = (dir: string) => LastStop.layer(dir).pipe(Layer.provide(NodeFileSystem.layer))

/** A table whose every call is counted and fails: shows whether the repair ran, without a store. */
const countingTable = (writeIntents?: DynamoTable["Service"]["writeIntents"]) => {
  const calls = { count: 0 }
  const table = Layer.succeed(DynamoTable, DynamoTable.of({
    tableName: "media",
    client: { send: () => { calls.count++; return Promise.reject(new Error("no store here")) } } as never,
    writeIntents
  }))
  return { calls, table }
}

describe("LastStop", () => {
  it.effect("is clean on a first start, keeps a marker while running, and removes it on a clean stop", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const first = yield* Effect.scoped(Effect.gen(function*() {
        const context = yield* Layer.build(lastStop(dir))
        assert.isTrue(existsSync(join(dir, markerName)), "marker while running")
        return (yield* LastStop.pipe(Effect.provide(context))).unclean
      }))
      assert.isFalse(first)
      assert.isFalse(existsSync(join(dir, markerName)), "no marker after a clean stop")
    }))

  it.effect("is unclean when the marker is still there (the last server was killed)", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      writeFileSync(join(dir, markerName), "12345\n")
      const unclean = yield* LastStop.pipe(Effect.map((s) => s.unclean), Effect.provide(lastStop(dir)))
      assert.isTrue(unclean)
    }))

  it.effect("repairs the metadata indexes only after an unclean stop", () =>
    Effect.gen(function*() {
      const clean = countingTable()
      yield* Layer.build(repairAfterUncleanStop.pipe(Layer.provide([clean.table, Layer.succeed(LastStop, { unclean: false })])))
      assert.strictEqual(clean.calls.count, 0)
      const unclean = countingTable()
      const exit = yield* Effect.exit(
        Layer.build(repairAfterUncleanStop.pipe(Layer.provide([unclean.table, Layer.succeed(LastStop, { unclean: true })])))
      )
      assert.isTrue(Exit.isFailure(exit), "the repair's scan reached the table (and failed on this stub)")
      assert.isAtLeast(unclean.calls.count, 1)
    }).pipe(Effect.scoped))

  it.effect("after an unclean stop of a journaled store, leaves the repair to the store's write intents (no table scan)", () =>
    Effect.gen(function*() {
      const journaled = countingTable({ settled: 2, entriesRemoved: 1, journaledBefore: true })
      yield* Layer.build(repairAfterUncleanStop.pipe(Layer.provide([journaled.table, Layer.succeed(LastStop, { unclean: true })])))
      assert.strictEqual(journaled.calls.count, 0)
      const older = countingTable({ settled: 0, entriesRemoved: 0, journaledBefore: false })
      const exit = yield* Effect.exit(
        Layer.build(repairAfterUncleanStop.pipe(Layer.provide([older.table, Layer.succeed(LastStop, { unclean: true })])))
      )
      assert.isTrue(Exit.isFailure(exit), "a store written without intents gets the whole-table repair")
      assert.isAtLeast(older.calls.count, 1)
    }).pipe(Effect.scoped))
})
