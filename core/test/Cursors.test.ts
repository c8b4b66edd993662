/**
 * Search cursors (SPEC §3): the laws consumers get from @media-object-storage/testing, plus an
 * exhaustive single-character check of one cursor and known junk.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Laws from "@media-object-storage/testing/laws"
import { Effect } from "effect"
import * as fc from "fast-check"
import { type CursorBinding, Cursors } from "../src/Cursors.ts"
import type { SortPosition } from "../src/SortPosition.ts"

const binding: CursorBinding = { accountId: "10020", entityType: "shipment_item", match: "S1|" }
const position: SortPosition = { entityId: "S1|SKU-1|DAMAGED|D1", createdAt: 1_700_000_000, fileId: "f-1" }

const run = <A, E>(effect: Effect.Effect<A, E, Cursors>) => Effect.runPromise(Effect.provide(effect, Cursors.layerTest))
const rejects = Laws.refuses

describe("Cursors", () => {
  it("round-trips any position for the binding that made it", () => fc.assert(Laws.cursorRoundTrip(), { numRuns: 100 }))

  it("rejects a cursor with any single character changed", () =>
    run(Effect.gen(function*() {
      const cursor = yield* Cursors.use((c) => c.encode(binding, position))
      for (let i = 0; i < cursor.length; i++) {
        for (const replacement of [".", "A", "_", "~"]) {
          if (cursor[i] === replacement) continue
          const tampered = cursor.slice(0, i) + replacement + cursor.slice(i + 1)
          assert.isTrue(yield* rejects(binding, tampered), `position ${i} -> ${replacement}`)
        }
      }
    })))

  it("rejects random edits of a valid cursor", () => fc.assert(Laws.cursorTamperRefused(), { numRuns: 200 }))

  it("rejects a cursor presented by another account, for another entity type or another prefix", () =>
    run(Effect.gen(function*() {
      const cursor = yield* Cursors.use((c) => c.encode(binding, position))
      assert.isTrue(yield* rejects({ ...binding, accountId: "10021" }, cursor))
      assert.isTrue(yield* rejects({ ...binding, entityType: "other_item" }, cursor))
      assert.isTrue(yield* rejects({ ...binding, match: "S1|SKU-1|" }, cursor))
      assert.isTrue(yield* rejects({ ...binding, match: "S10|" }, cursor))
      assert.isFalse(yield* rejects(binding, cursor))
    })))

  it("rejects a cursor of any other binding", () => fc.assert(Laws.cursorBoundToQuery(), { numRuns: 100 }))

  it("rejects garbage, empty and oversized cursors", () =>
    run(Effect.gen(function*() {
      for (const junk of ["", ".", "c1..", "c1.e30.AAAA", "x".repeat(5000), "c2.abc.def"]) {
        assert.isTrue(yield* rejects(binding, junk), junk.slice(0, 20))
      }
    })))

  it("rejects random text", () => fc.assert(Laws.cursorGarbageRefused(), { numRuns: 100 }))

  it("rejects a cursor signed with another secret", () => fc.assert(Laws.cursorForeignSecretRefused(), { numRuns: 50 }))
})
