/**
 * The search order and whole-part matching of DynamoDB (UTF-8 byte order of
 * the `search` index) against the memory repository on the same files: any
 * drift between the two would show here.
 */
import { assert, it } from "@effect/vitest"
import type { EntityKey } from "@media-object-storage/core/EntityKey"
import { makeMemoryFileRepository } from "@media-object-storage/core/memory/MemoryFileRepository"
import { FileRepository } from "@media-object-storage/core/ports/FileRepository"
import { Effect } from "effect"
import { accountA, accountB, freshRepository, type LocalStore, record } from "./fixtures.ts"
import { allPages, ids } from "./searchHelpers.ts"

// Characters whose UTF-16 order differs from their UTF-8 byte order (U+1F600 vs U+FFEE),
// accents, spaces, and keys that are prefixes of one another.
const entityIds = [
  "S1|a|R|D1", "S1|a|R|D10", "S1|a|R|D1x", "S1|a b|R|D1", "S1|é|R|D1", "S1|\u{1F600}|R|D1",
  "S1|\uFFEE|R|D1", "S1|A|R|D1", "S10|a|R|D1", "S1-|a|R|D1", "S|a|R|D1", "S1|a|R2|D1"
] as const

const records = entityIds.flatMap((entityId, i) =>
  [0, 1].map((j) =>
    record(i * 4 + j + 1, {
      entityId: entityId as EntityKey,
      // Same created_at for both files of a key half the time, so file_id breaks the tie.
      createdAt: i % 2 === 0 ? 500 : 500 + (1 - j),
      accountId: i === 3 && j === 1 ? accountB : accountA
    })
  )
)

const prefixes = ["S1", "S1|a", "S1|a|R", "S1|a|R|D1", "S1|\u{1F600}", "S10", "S"]

export const orderingSuite = (endpoint: LocalStore) =>
  it.effect("pages in the same order and with the same matches as the memory repository", () =>
    Effect.gen(function*() {
      const memory = yield* makeMemoryFileRepository
      yield* Effect.forEach(records, memory.create, { discard: true })
      const repo = yield* FileRepository
      yield* Effect.forEach(records, repo.create, { discard: true, concurrency: 4 })
      for (const raw of prefixes) {
        for (const limit of [1, 3, 100]) {
          const expected = yield* allPages(accountA, raw, limit).pipe(Effect.provideService(FileRepository, memory))
          const actual = yield* allPages(accountA, raw, limit)
          assert.deepStrictEqual(actual.map(ids), expected.map(ids), `prefix ${raw}, limit ${limit}`)
        }
      }
    }).pipe(Effect.provide(freshRepository(endpoint, { pageSize: 2 }))))
