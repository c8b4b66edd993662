import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted, Result } from "effect"
import * as fc from "fast-check"
import { type CursorBinding, Cursors } from "../src/Cursors.ts"
import type { SortPosition } from "../src/SortPosition.ts"

const binding: CursorBinding = { accountId: "10020", entityType: "shipment_item", match: "S1|" }
const position: SortPosition = { entityId: "S1|SKU-1|DAMAGED|D1", createdAt: 1_700_000_000, fileId: "f-1" }
const base64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

const run = <A, E>(effect: Effect.Effect<A, E, Cursors>) => Effect.runPromise(Effect.provide(effect, Cursors.layerTest))
const rejects = (b: CursorBinding, cursor: string) =>
  Cursors.use((c) => c.decode(b, cursor)).pipe(
    Effect.result,
    Effect.map((result) => Result.isFailure(result) && result.failure._tag === "InvalidCursor")
  )

const positionArb = fc.record({
  entityId: fc.string({ unit: "binary", maxLength: 40 }),
  createdAt: fc.integer({ min: 0, max: 2 ** 40 }),
  fileId: fc.uuid()
})

describe("Cursors", () => {
  it("round-trips any position for the binding that made it", () =>
    fc.assert(
      fc.asyncProperty(positionArb, (p) =>
        run(Effect.gen(function*() {
          const cursors = yield* Cursors
          const cursor = yield* cursors.encode(binding, p)
          assert.deepStrictEqual(yield* cursors.decode(binding, cursor), p)
        }))),
      { numRuns: 100 }
    ))

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

  it("rejects random edits of a valid cursor", () =>
    run(Cursors.use((c) => c.encode(binding, position))).then((cursor) =>
      fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({ at: fc.nat(), kind: fc.constantFrom("insert", "delete", "replace"), ch: fc.constantFrom(...base64url, ".", "=") }),
            { minLength: 1, maxLength: 4 }
          ),
          (edits) => {
            let tampered = cursor
            for (const { at, kind, ch } of edits) {
              const i = at % (tampered.length + 1)
              tampered = kind === "insert"
                ? tampered.slice(0, i) + ch + tampered.slice(i)
                : tampered.slice(0, i) + (kind === "replace" ? ch : "") + tampered.slice(i + 1)
            }
            fc.pre(tampered !== cursor)
            return run(rejects(binding, tampered)).then((rejected) => assert.isTrue(rejected, tampered))
          }
        ),
        { numRuns: 200 }
      )
    ))

  it("rejects a cursor presented by another account, for another entity type or another prefix", () =>
    run(Effect.gen(function*() {
      const cursor = yield* Cursors.use((c) => c.encode(binding, position))
      assert.isTrue(yield* rejects({ ...binding, accountId: "10021" }, cursor))
      assert.isTrue(yield* rejects({ ...binding, entityType: "other_item" }, cursor))
      assert.isTrue(yield* rejects({ ...binding, match: "S1|SKU-1|" }, cursor))
      assert.isTrue(yield* rejects({ ...binding, match: "S10|" }, cursor))
      assert.isFalse(yield* rejects(binding, cursor))
    })))

  it("rejects garbage, empty and oversized cursors", () =>
    run(Effect.gen(function*() {
      for (const junk of ["", ".", "c1..", "c1.e30.AAAA", "x".repeat(5000), "c2.abc.def"]) {
        assert.isTrue(yield* rejects(binding, junk), junk.slice(0, 20))
      }
    })))

  it("rejects a cursor signed with another secret", () =>
    Effect.runPromise(Effect.gen(function*() {
      const foreign = yield* Cursors.use((c) => c.encode(binding, position)).pipe(
        Effect.provide(Cursors.layer(Redacted.make(new Uint8Array(32).fill(9))))
      )
      assert.isTrue(yield* rejects(binding, foreign).pipe(Effect.provide(Cursors.layerTest)))
    })))
})
