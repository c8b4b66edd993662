/**
 * KnownRecords: the bounded hand-off of records from one step of a file to the next.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import type { FileRecord } from "../../src/FileRecord.ts"
import { make } from "../../src/usecases/KnownRecords.ts"
import { freshAccount, freshFileId } from "../fixtures.ts"

const recordOf = (accountId = freshAccount()) =>
  ({ fileId: freshFileId(), accountId, status: "uploading", version: 0 }) as unknown as FileRecord

describe("KnownRecords", () => {
  it.effect("hands a record over once, to the same account only, and forgets the oldest when full", () =>
    Effect.gen(function*() {
      const known = make(2)
      const [a, b, c] = [recordOf(), recordOf(), recordOf()]
      for (const record of [a, b, c]) yield* known.put(record)
      assert.isTrue(Option.isNone(yield* known.take(a.accountId, a.fileId)), "the oldest went")
      assert.isTrue(Option.isNone(yield* known.take(freshAccount(), b.fileId)), "another account's")
      assert.isTrue(Option.isNone(yield* known.take(b.accountId, b.fileId)), "taken (and dropped) by the wrong account")
      assert.deepStrictEqual(yield* known.take(c.accountId, c.fileId), Option.some(c))
      assert.isTrue(Option.isNone(yield* known.take(c.accountId, c.fileId)), "taken once")
    }))

  it.effect("a newer record of the same file replaces the older one", () =>
    Effect.gen(function*() {
      const known = make(2)
      const a = recordOf()
      yield* known.put(a)
      yield* known.put({ ...a, version: 1 })
      yield* known.put(recordOf())
      assert.deepStrictEqual(Option.map(yield* known.take(a.accountId, a.fileId), (r) => r.version), Option.some(1))
    }))
})
