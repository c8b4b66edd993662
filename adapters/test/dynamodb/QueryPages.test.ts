/**
 * The one paging helper: pages concatenate to the full result with no gaps or
 * repeats, each request learns where to resume and how much came before, and
 * a runaway read stops at its page bound.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { type Item, itemsOf, pages } from "../../src/dynamodb/QueryPages.ts"

/** A table of `count` items read `pageSize` at a time, as DynamoDB pages a Query. */
const fakeRead = (count: number, pageSize: number) => {
  const items: ReadonlyArray<Item> = Array.from({ length: count }, (_, i) => ({ id: i }))
  const requests: Array<{ start: unknown; before: number }> = []
  const fetch = (start: Item | undefined, before: number) =>
    Effect.sync(() => {
      requests.push({ start: start?.["id"], before })
      const from = start === undefined ? 0 : Number(start["id"]) + 1
      const page = items.slice(from, from + pageSize)
      const last = page.at(-1)
      return { Items: page, LastEvaluatedKey: from + pageSize < count && last !== undefined ? last : undefined }
    })
  return { items, requests, fetch }
}

describe("QueryPages.pages", () => {
  it.effect("concatenates to every item once, in order, whatever the page size", () =>
    Effect.gen(function*() {
      for (const [count, pageSize] of [[0, 3], [1, 3], [9, 3], [10, 3], [10, 1], [10, 100]] as const) {
        const read = fakeRead(count, pageSize)
        const got = yield* pages(read.fetch, { maxPages: 1000 }).pipe(Stream.runCollect)
        assert.deepStrictEqual(got.flatMap(itemsOf), read.items, `${count} by ${pageSize}`)
        assert.isTrue(got.at(-1)?.last, "the last page says nothing follows")
        assert.deepStrictEqual(read.requests.map((r) => r.before), got.map((_, i) => Math.min(count, i * pageSize)))
      }
    }))

  it.effect("resumes after the key it is given, and stops at maxPages", () =>
    Effect.gen(function*() {
      const read = fakeRead(10, 2)
      const got = yield* pages(read.fetch, { start: { id: 3 }, maxPages: 2 }).pipe(Stream.runCollect)
      assert.deepStrictEqual(got.flatMap(itemsOf).map((item) => item["id"]), [4, 5, 6, 7])
      assert.deepStrictEqual(read.requests.map((r) => r.start), [3, 5])
      assert.isFalse(got.at(-1)?.last)
    }))
})
