import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fc from "fast-check"
import type { FileRecord } from "../../src/FileRecord.ts"
import type { FileView } from "../../src/FileView.ts"
import { layerMemory } from "../../src/memory/layerMemory.ts"
import { FileRepository } from "../../src/ports/FileRepository.ts"
import { compareCodePoints } from "../../src/SortPosition.ts"

import { freshAccount, key, uploadingRecord } from "../fixtures.ts"
import { searchFiles } from "./helpers.ts"

// Few, overlapping values so prefixes collide (S1 vs S10) and non-ASCII/astral order matters.
const shipments = ["S1", "S10", "Ş"] as const
const skus = ["A", "AB", "é", "😀", "\uFF5A"] as const
const discrepancies = ["D", "D0"] as const

const fileArb = fc.record({
  shipment: fc.constantFrom(...shipments),
  sku: fc.constantFrom(...skus),
  discrepancy: fc.constantFrom(...discrepancies),
  createdAt: fc.integer({ min: 0, max: 3 }),
  fileId: fc.uuid({ version: 4 })
})
type FileSpec = typeof fileArb extends fc.Arbitrary<infer A> ? A : never

const prefixArb = fc.oneof(
  fc.constantFrom(...shipments),
  fc.tuple(fc.constantFrom(...shipments), fc.constantFrom(...skus)).map((p) => p.join("|")),
  fc.tuple(fc.constantFrom(...shipments), fc.constantFrom(...skus), fc.constantFrom(...discrepancies)).map(([s, k, d]) =>
    `${s}|${k}|R|${d}`
  )
)
const limitArb = fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 100 }))

const toRecord = (accountId: FileRecord["accountId"], f: FileSpec): FileRecord =>
  uploadingRecord({
    accountId,
    fileId: f.fileId as FileRecord["fileId"],
    entityId: key(`${f.shipment}|${f.sku}|R|${f.discrepancy}`),
    createdAt: f.createdAt,
    updatedAt: f.createdAt
  })

/** SPEC §3 order and whole-part matching, written without SortPosition or EntityKey. */
type Position = Pick<FileView, "entity_id" | "created_at" | "file_id">
const order = (a: Position, b: Position) =>
  compareCodePoints(a.entity_id, b.entity_id) || a.created_at - b.created_at || compareCodePoints(a.file_id, b.file_id)
const recordOrder = (a: FileRecord, b: FileRecord) =>
  compareCodePoints(a.entityId, b.entityId) || a.createdAt - b.createdAt || compareCodePoints(a.fileId, b.fileId)
const matchesWhole = (prefix: string, entityId: string) => {
  const parts = entityId.split("|")
  return prefix.split("|").every((p, i) => parts[i] === p)
}
const asView = (r: FileRecord): Position => ({ entity_id: r.entityId, created_at: r.createdAt, file_id: r.fileId })

/**
 * Follows cursors to the end; before fetching page i+1, inserts `inserts[i]`.
 * Returns the concatenated pages and, per inserted file, whether it sorted after the position reached.
 */
const followAll = (initial: ReadonlyArray<FileSpec>, inserts: ReadonlyArray<ReadonlyArray<FileSpec>>, prefix: string, limit: number) =>
  Effect.gen(function*() {
    const repo = yield* FileRepository
    const account = freshAccount()
    yield* Effect.forEach(initial, (f) => repo.create(toRecord(account, f)), { discard: true })
    const seen: Array<FileView> = []
    const insertedAhead: Array<FileRecord> = []
    let cursor: string | undefined
    for (let page = 0; page <= initial.length + inserts.flat().length + 1; page++) {
      const result = yield* searchFiles(account, { entityType: "shipment_item", entityId: prefix, limit, cursor })
      assert.isAtMost(result.files.length, limit)
      seen.push(...result.files)
      if (result.cursor === undefined) return { seen, insertedAhead, account }
      // The `more` flag is exact: a page with a cursor is full.
      assert.strictEqual(result.files.length, limit)
      cursor = result.cursor
      const position = seen.at(-1)!
      for (const f of inserts[page] ?? []) {
        const r = toRecord(account, f)
        yield* repo.create(r)
        if (matchesWhole(prefix, r.entityId) && order(asView(r), position) > 0) insertedAhead.push(r)
      }
    }
    throw new Error("cursors never ended")
  })

const uniqueIds = <A extends { fileId: string }>(files: ReadonlyArray<A>) => {
  const seen = new Set<string>()
  return files.filter((f) => !seen.has(f.fileId) && seen.add(f.fileId))
}

describe("SearchFiles paging", () => {
  it("concatenates pages to exactly the full ordered result", () =>
    fc.assert(
      fc.asyncProperty(fc.array(fileArb, { maxLength: 40 }).map(uniqueIds), prefixArb, limitArb, (files, prefix, limit) =>
        Effect.runPromise(Effect.gen(function*() {
          const { seen, account } = yield* followAll(files, [], prefix, limit)
          const expected = files.map((f) => toRecord(account, f)).filter((r) => matchesWhole(prefix, r.entityId)).sort(recordOrder)
          assert.deepStrictEqual(seen.map((v) => v.file_id), expected.map((r) => r.fileId))
        }).pipe(Effect.provide(layerMemory())))),
      { numRuns: 200 }
    ))

  it("returns files inserted between pages after the position exactly once, and never repeats one", () =>
    fc.assert(
      fc.asyncProperty(
        fc.array(fileArb, { maxLength: 30 }),
        fc.array(fc.array(fileArb, { maxLength: 4 }), { maxLength: 8 }),
        prefixArb,
        fc.integer({ min: 1, max: 6 }),
        (files, inserts, prefix, limit) => {
          // One id space for the initial and inserted files.
          const all = uniqueIds([...files, ...inserts.flat()])
          const ids = new Set(all)
          const initial = files.filter((f) => ids.delete(f))
          const batches = inserts.map((batch) => batch.filter((f) => ids.delete(f)))
          return Effect.runPromise(Effect.gen(function*() {
            const { seen, insertedAhead, account } = yield* followAll(initial, batches, prefix, limit)
            for (let i = 1; i < seen.length; i++) assert.isTrue(order(seen[i - 1]!, seen[i]!) < 0, "strictly increasing")
            const seenIds = new Set(seen.map((v) => v.file_id))
            for (const r of initial.map((f) => toRecord(account, f)).filter((r) => matchesWhole(prefix, r.entityId))) {
              assert.isTrue(seenIds.has(r.fileId), "an initial file is missing")
            }
            for (const r of insertedAhead) assert.isTrue(seenIds.has(r.fileId), "a file inserted ahead is missing")
            for (const v of seen) assert.isTrue(matchesWhole(prefix, v.entity_id))
          }).pipe(Effect.provide(layerMemory())))
        }
      ),
      { numRuns: 200 }
    ))
})
