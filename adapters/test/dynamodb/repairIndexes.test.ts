/**
 * dynalite writes an item's index entries and the item one after another, so a
 * process killed in between can leave an item without its `due` entry. The
 * repair writes such items again; here the torn state is made directly in the
 * LevelDB files, as a SIGKILL at that moment would leave them.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { FileRepository } from "@media-object-storage/core/ports/FileRepository"
import { Effect, Layer, Option } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { layerDynalite } from "../../src/dynamodb/DynaliteFileRepository.ts"
import { DynamoTable } from "../../src/dynamodb/DynamoTable.ts"
import { repairDueIndex } from "../../src/dynamodb/RepairIndexes.ts"
import { record } from "./fixtures.ts"
import { prefix } from "./searchHelpers.ts"

const dir = mkdtempSync(join(tmpdir(), "media-repair-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface LevelDb {
  open(): Promise<void>
  close(): Promise<void>
  iterator(options: { gte: string; lt: string }): AsyncIterable<[string, unknown]>
  keys(options: { gte: string; lt: string }): AsyncIterable<string>
  put(key: string, value: unknown): Promise<void>
  del(key: string): Promise<void>
}
// dynalite's own LevelDB binding, so the files are read exactly as dynalite wrote them.
const { Level } = createRequire(createRequire(import.meta.url).resolve("dynalite"))("level") as {
  Level: new(path: string, options: { valueEncoding: "json" }) => LevelDb
}

const duePrefix = "index-global~media~due~"

/** Runs `use` on the LevelDB files of a closed store. */
const onFiles = <A>(path: string, use: (db: LevelDb) => Promise<A>) =>
  Effect.promise(async () => {
    const db = new Level(path, { valueEncoding: "json" })
    await db.open()
    try {
      return await use(db)
    } finally {
      await db.close()
    }
  })

/** Every raw entry of the `due` index. */
const dueEntries = (path: string) =>
  onFiles(path, async (db) => {
    const entries: Array<[string, unknown]> = []
    for await (const entry of db.iterator({ gte: duePrefix, lt: `${duePrefix}\uffff` })) entries.push(entry)
    return entries
  })

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
        assert.deepStrictEqual(report, { scanned: 3, rewritten: 2, orphansRemoved: 0 })
        assert.deepStrictEqual(yield* repo.listDue(1_000, 10), moving)
        // Unchanged: same versions, same fields.
        const all = [...moving, settled]
        assert.deepStrictEqual(yield* Effect.forEach(all, (r) => repo.get(r.accountId, r.fileId)), all.map(Option.some))
      }))
    }))

  it.effect("removes index entries no item owns, of a moved file and of a deleted one", () =>
    Effect.gen(function*() {
      const path = join(dir, "orphans")
      const moved = record(4, { dueAt: 100 })
      const deleted = record(5, { dueAt: 300 })
      yield* withStore(path, Effect.gen(function*() {
        const repo = yield* FileRepository
        yield* repo.create(moved)
        yield* repo.create(deleted)
      }))
      // The entries as they are now; put back after the writes below, they are what a kill between
      // dynalite's index writes and its item write leaves: entries whose item moved on or is gone.
      const stale = yield* dueEntries(path)
      assert.strictEqual(stale.length, 2)
      const later = { ...moved, dueAt: 900, version: moved.version + 1 }
      yield* withStore(path, Effect.gen(function*() {
        const repo = yield* FileRepository
        yield* repo.transition(later, moved.version)
        yield* repo.delete(deleted.accountId, deleted.fileId)
      }))
      yield* onFiles(path, async (db) => {
        for (const [key, value] of stale) await db.put(key, value)
      })
      yield* withStore(path, Effect.gen(function*() {
        const repo = yield* FileRepository
        assert.strictEqual((yield* repo.listDue(1_000, 10)).length, 3, "two orphans besides the real entry")
        const report = yield* repairDueIndex(yield* DynamoTable)
        assert.deepStrictEqual(report, { scanned: 1, rewritten: 1, orphansRemoved: 2 })
        assert.deepStrictEqual(yield* repo.listDue(1_000, 10), [later])
        assert.deepStrictEqual(yield* repo.get(later.accountId, later.fileId), Option.some(later))
        assert.isTrue(Option.isNone(yield* repo.get(deleted.accountId, deleted.fileId)), "the deleted file stays deleted")
        assert.deepStrictEqual((yield* repo.search({ accountId: deleted.accountId, entityType: "shipment_item", prefix: prefix("S1"), limit: 10 })).files.map((f) => f.fileId), [later.fileId])
      }))
      assert.strictEqual((yield* dueEntries(path)).length, 1)
    }))
})
