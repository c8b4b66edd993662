/**
 * dynalite writes an item's index entries and the item one after another, so a
 * process killed in between can leave an item without its `due` entry. The
 * repair writes such items again; here the torn state is made directly in the
 * LevelDB files, as a SIGKILL at that moment would leave them.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { FileRepository } from "@media/core/ports/FileRepository"
import { Effect, Layer, Option } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { layerDynalite } from "../../src/dynamodb/DynamoFileRepository.ts"
import { DynamoTable } from "../../src/dynamodb/DynamoTable.ts"
import { repairDueIndex } from "../../src/dynamodb/RepairIndexes.ts"
import { record } from "./fixtures.ts"

const dir = mkdtempSync(join(tmpdir(), "media-repair-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface LevelDb {
  open(): Promise<void>
  close(): Promise<void>
  keys(options: { gte: string; lt: string }): AsyncIterable<string>
  del(key: string): Promise<void>
}
// dynalite's own LevelDB binding, so the files are read exactly as dynalite wrote them.
const { Level } = createRequire(createRequire(import.meta.url).resolve("dynalite"))("level") as {
  Level: new(path: string, options: { valueEncoding: "json" }) => LevelDb
}

/** Deletes every entry of the `due` index, leaving the items: the state a kill between the two writes leaves. */
const tearDueIndex = (path: string) =>
  Effect.promise(async () => {
    const db = new Level(path, { valueEncoding: "json" })
    await db.open()
    const prefix = "index-global~media~due~"
    let removed = 0
    for await (const key of db.keys({ gte: prefix, lt: `${prefix}\uffff` })) {
      await db.del(key)
      removed++
    }
    await db.close()
    return removed
  })

const withStore = <A, E>(path: string, use: Effect.Effect<A, E, FileRepository | DynamoTable>) =>
  Effect.scoped(Layer.build(layerDynalite({ path })).pipe(Effect.flatMap((context) => use.pipe(Effect.provide(context)))))

describe("repairDueIndex (dynalite on disk)", () => {
  it.effect("gives back their due entries to items that lost them, and leaves every other item alone", () =>
    Effect.gen(function*() {
      const path = join(dir, "metadata")
      const moving = [record(1, { dueAt: 100 }), record(2, { dueAt: 200 })]
      const { dueAt: _, ...settled } = record(3, { status: "ready", width: 1, height: 1 })
      yield* withStore(path, Effect.gen(function*() {
        const repo = yield* FileRepository
        yield* Effect.forEach([...moving, settled], (r) => repo.create(r))
        assert.strictEqual((yield* repo.listDue(1_000, 10)).length, 2)
      }))
      assert.strictEqual(yield* tearDueIndex(path), 2)
      yield* withStore(path, Effect.gen(function*() {
        const repo = yield* FileRepository
        assert.deepStrictEqual(yield* repo.listDue(1_000, 10), [], "the torn index hides both files from the sweeper")
        const report = yield* repairDueIndex(yield* DynamoTable)
        assert.deepStrictEqual(report, { scanned: 3, rewritten: 2 })
        assert.deepStrictEqual(yield* repo.listDue(1_000, 10), moving)
        // Unchanged: same versions, same fields.
        const all = [...moving, settled]
        assert.deepStrictEqual(yield* Effect.forEach(all, (r) => repo.get(r.accountId, r.fileId)), all.map(Option.some))
      }))
    }))
})
