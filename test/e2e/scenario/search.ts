/**
 * Search over real HTTP: by shipment, SKU and full key, whole-part matching,
 * paging with cursors, and the wall between accounts.
 */
import { assert, type Vitest } from "@effect/vitest"
import { Effect } from "effect"
import { auth, type E2eServer } from "../../support/servers.ts"
import { assertError, del, get, requestUpload, searchPath } from "../client.ts"

const keys = [
  "1RT823V93|SKU-001|DAMAGED|D1",
  "1RT823V93|SKU-001|DAMAGED|D2",
  "1RT823V93|SKU-002|WRONG_ITEM|D3",
  "1RT823V93|SKU-002|DAMAGED|D4",
  "1RT823V93|SKU-003|DAMAGED|D5"
]

/** Every page of a search, following cursors (bounded); the pages' file ids. */
const allPages = (entityId: string, limit: number, authorization: string = auth.readerA) =>
  Effect.gen(function*() {
    const pages: Array<Array<string>> = []
    let cursor: string | undefined
    for (let page = 0; page < 20; page++) {
      const extra = `&limit=${limit}${cursor === undefined ? "" : `&cursor=${encodeURIComponent(cursor)}`}`
      const reply = yield* get(searchPath(entityId, extra), authorization)
      assert.strictEqual(reply.status, 200, reply.text)
      assert.isAtMost(reply.json.files.length, limit)
      pages.push(reply.json.files.map((f: { file_id: string }) => f.file_id))
      cursor = reply.json.cursor
      if (cursor === undefined) return pages
    }
    return assert.fail("more than 20 pages")
  })

export const search = <R>(it: Vitest.MethodsNonLive<E2eServer | R>) => {
  it.effect("search finds whole parts of the key, in key order, page by page", () =>
    Effect.gen(function*() {
      const ids: Array<string> = []
      for (const key of keys) ids.push((yield* requestUpload(key)).file_id)
      // Shares a prefix with the shipment but not a whole part: never found by it.
      const other = (yield* requestUpload("1RT823V930|SKU-001|DAMAGED|D1")).file_id
      const byKey = (i: number) => ids[i] ?? ""
      const expected = [0, 1, 3, 2, 4].map(byKey) // entity_id byte order: DAMAGED < WRONG_ITEM

      const pages = yield* allPages("1RT823V93", 2)
      assert.deepStrictEqual(pages.map((p) => p.length), [2, 2, 1])
      assert.deepStrictEqual(pages.flat(), expected, "no gaps, no repeats, in order")

      const whole = yield* get(searchPath("1RT823V93"), auth.readerA)
      assert.deepStrictEqual(whole.json.files.map((f: { file_id: string }) => f.file_id), expected)
      assert.notProperty(whole.json, "cursor")
      assert.deepStrictEqual(whole.json.files.map((f: { status: string }) => f.status), Array(5).fill("uploading"))

      assert.deepStrictEqual((yield* allPages("1RT823V93|SKU-002", 25)).flat(), [byKey(3), byKey(2)])
      assert.deepStrictEqual((yield* allPages("1RT823V93|SKU-002|WRONG_ITEM|D3", 25)).flat(), [byKey(2)])
      assert.deepStrictEqual((yield* allPages("1RT823V930", 25)).flat(), [other])
      assert.deepStrictEqual((yield* allPages("1RT823V9", 25)).flat(), [])
    }))

  it.effect("accounts never see each other's files, and a cursor only works for its account", () =>
    Effect.gen(function*() {
      const mine = (yield* requestUpload("ISO1|SKU-1|DAMAGED|D1")).file_id
      yield* requestUpload("ISO1|SKU-1|DAMAGED|D2")
      const theirs = (yield* requestUpload("ISO1|SKU-1|DAMAGED|D3", "image/jpeg", auth.writerB)).file_id

      const got = yield* get(`/v1/media/${mine}`, auth.writerB)
      const missing = yield* get("/v1/media/00000000-0000-4000-8000-000000000000", auth.writerB)
      // Exactly like a file that does not exist.
      assert.strictEqual(assertError(got, 404, "FILE_NOT_FOUND"), assertError(missing, 404, "FILE_NOT_FOUND"))
      assertError(yield* del(`/v1/media/${mine}`, auth.writerB), 404, "FILE_NOT_FOUND")
      assert.strictEqual((yield* get(`/v1/media/${mine}`)).status, 200, "still there after B's delete")

      assert.deepStrictEqual((yield* allPages("ISO1", 25, auth.writerB)).flat(), [theirs])
      const first = yield* get(searchPath("ISO1", "&limit=1"), auth.readerA)
      assert.strictEqual(first.json.files[0].file_id, mine)
      assert.isString(first.json.cursor)
      const foreign = yield* get(searchPath("ISO1", `&limit=1&cursor=${encodeURIComponent(first.json.cursor)}`), auth.writerB)
      assertError(foreign, 400, "INVALID_REQUEST")
      // The same cursor for another query of the same account is refused too.
      const otherQuery = yield* get(searchPath("ISO1|SKU-1", `&limit=1&cursor=${encodeURIComponent(first.json.cursor)}`), auth.readerA)
      assertError(otherQuery, 400, "INVALID_REQUEST")
    }))
}
