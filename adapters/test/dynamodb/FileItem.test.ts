import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { dueShard, dueShards, dueSkUpTo, fromItem, toItem } from "../../src/dynamodb/FileItem.ts"
import { fileId, record } from "./fixtures.ts"

describe("FileItem", () => {
  it("spreads file ids over every due shard", () => {
    const used = new Set(Array.from({ length: 200 }, (_, n) => dueShard(fileId(n))))
    assert.deepStrictEqual([...used].sort(), Array.from({ length: dueShards }, (_, i) => i))
  })

  it("keys a due record into the due index with a padded time, and a final one out of it", () => {
    const due = toItem(record(1, { dueAt: 42 }))
    assert.strictEqual(due["due_sk"], `000000000042#${fileId(1)}`)
    assert.strictEqual(due["due_pk"], `DUE#${dueShard(fileId(1))}`)
    assert.isTrue(String(due["due_sk"]) <= dueSkUpTo(42) && String(due["due_sk"]) > dueSkUpTo(41))
    const final = toItem(record(1))
    assert.notProperty(final, "due_pk")
    assert.notProperty(final, "due_sk")
    assert.strictEqual(final["pk"], `FILE#acc-a#${fileId(1)}`)
    assert.strictEqual(final["search_sk"], `S1|SKU-1|DAMAGED|D1\u0001000000001000\u0001${fileId(1)}`)
  })

  it.effect("decodes an item back to the record, key attributes dropped", () =>
    Effect.gen(function*() {
      const r = record(1, { dueAt: 42, width: 1, height: 2 })
      assert.deepStrictEqual(yield* fromItem("get")(toItem(r)), r)
    }))

  it.effect("round-trips what the lifecycle added: the declared size, outage deferrals, a size_mismatch, a tombstone", () =>
    Effect.gen(function*() {
      for (
        const r of [
          record(1, { declaredSize: 40, deferrals: 3, dueAt: 42 }),
          record(2, { status: "failed", failureReason: "size_mismatch", declaredSize: 40, fileSize: 50 }),
          record(3, { status: "deleting", dueAt: 42 })
        ]
      ) {
        const item = toItem(r)
        assert.strictEqual(item["declaredSize"], r.declaredSize)
        assert.deepStrictEqual(yield* fromItem("get")(item), r)
      }
      // A tombstone is due, so the sweeper finds it.
      assert.property(toItem(record(3, { status: "deleting", dueAt: 42 })), "due_pk")
    }))

  it.effect("refuses an item that is not a record", () =>
    Effect.gen(function*() {
      const error = yield* fromItem("get")({ ...toItem(record(1)), fileSize: -1 }).pipe(Effect.flip)
      assert.strictEqual(error._tag, "RepositoryError")
      assert.strictEqual(error.operation, "get")
    }))
})
