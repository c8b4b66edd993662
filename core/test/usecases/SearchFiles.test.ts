import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { layerMemory } from "../../src/memory/layerMemory.ts"

import { freshAccount } from "../fixtures.ts"
import { searchFiles, upload, type RawSearchRequest } from "./helpers.ts"

const account = freshAccount()
const query: RawSearchRequest = { entityType: "shipment_item", entityId: "S1" }
const invalid = (request: Partial<RawSearchRequest>, accountId = account) =>
  Effect.flip(searchFiles(accountId, { ...query, ...request })).pipe(Effect.map((e) => {
    assert.strictEqual(e._tag, "InvalidRequest")
    return e._tag === "InvalidRequest" ? e.message : ""
  }))
const uploads = (n: number, entityId = "S1|SKU|R|D") =>
  Effect.forEach(Array.from({ length: n }), () => upload(account, entityId))

describe("SearchFiles", () => {
  it.effect("returns 25 files by default and a cursor when more exist", () =>
    Effect.gen(function*() {
      yield* uploads(26)
      const first = yield* searchFiles(account, query)
      assert.strictEqual(first.files.length, 25)
      assert.isString(first.cursor)
      const rest = yield* searchFiles(account, { ...query, cursor: first.cursor })
      assert.strictEqual(rest.files.length, 1)
      assert.isUndefined(rest.cursor)
    }).pipe(Effect.provide(layerMemory())))

  it.effect("omits the cursor when the page holds the last file", () =>
    Effect.gen(function*() {
      yield* uploads(3)
      const page = yield* searchFiles(account, { ...query, limit: 3 })
      assert.strictEqual(page.files.length, 3)
      assert.isFalse("cursor" in page)
    }).pipe(Effect.provide(layerMemory())))

  it.effect("accepts limits 1 and 100", () =>
    Effect.gen(function*() {
      yield* uploads(2)
      assert.strictEqual((yield* searchFiles(account, { ...query, limit: 1 })).files.length, 1)
      assert.strictEqual((yield* searchFiles(account, { ...query, limit: 100 })).files.length, 2)
    }).pipe(Effect.provide(layerMemory())))

  it.effect("refuses limits outside 1..100", () =>
    Effect.gen(function*() {
      for (const limit of [0, -1, 101, 2.5, Number.NaN]) assert.match(yield* invalid({ limit }), /limit/)
    }).pipe(Effect.provide(layerMemory())))

  it.effect("refuses a malformed prefix or entity type", () =>
    Effect.gen(function*() {
      for (const entityId of ["", "S1|", "|S1", "S1||R", "S|K|R|D|E", "S1\u0000"]) yield* invalid({ entityId })
      yield* invalid({ entityType: "order" })
    }).pipe(Effect.provide(layerMemory())))

  it.effect("refuses a garbled cursor", () =>
    Effect.gen(function*() {
      for (const cursor of ["nope", "", "c1.x.y"]) assert.match(yield* invalid({ cursor }), /cursor/)
    }).pipe(Effect.provide(layerMemory())))

  it.effect("refuses a cursor from another account or another query", () =>
    Effect.gen(function*() {
      yield* uploads(3)
      yield* uploads(3, "S1|SKU2|R|D")
      const { cursor } = yield* searchFiles(account, { ...query, limit: 1 })
      assert.isString(cursor)
      yield* invalid({ cursor }, freshAccount())
      yield* invalid({ cursor, entityId: "S1|SKU" })
      yield* invalid({ cursor, entityId: "S10" })
      // The same query with another limit is the same query: the cursor still works.
      assert.strictEqual((yield* searchFiles(account, { ...query, cursor, limit: 10 })).files.length, 5)
    }).pipe(Effect.provide(layerMemory())))

  it.effect("never returns another account's files", () =>
    Effect.gen(function*() {
      yield* uploads(2)
      const page = yield* searchFiles(freshAccount(), query)
      assert.deepStrictEqual(page.files, [])
    }).pipe(Effect.provide(layerMemory())))
})
