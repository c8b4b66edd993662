/**
 * Entity keys (SPEC §4): the laws consumers get from @media-object-storage/testing, plus the
 * boundary cases no random search is likely to hit.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Laws from "@media-object-storage/testing/laws"
import { Result } from "effect"
import * as fc from "fast-check"
import { formatKey, keyParts, matches, maxKeyLength, maxPartLength, parseKey, parsePrefix } from "../src/EntityKey.ts"

const T = "shipment_item" as const
const runs = { numRuns: 200 }

const ok = <A, E>(r: Result.Result<A, E>): A => {
  if (Result.isFailure(r)) throw new Error(`expected success, got ${JSON.stringify(r.failure)}`)
  return r.success
}

describe("EntityKey", () => {
  it("round-trips parts through formatKey and keyParts", () => fc.assert(Laws.keyRoundTrip(), runs))

  it("accepts parts of exactly 128 code points, astral ones included", () => {
    const long = "😀".repeat(maxPartLength)
    assert.deepStrictEqual(keyParts(ok(formatKey(T, [long, "b", "c", "d"]))), [long, "b", "c", "d"])
  })

  it("rejects a key longer than 512 code points even when every part is valid", () => {
    const parts = Array.from({ length: 4 }, () => "x".repeat(maxPartLength))
    assert.isTrue(parts.join("|").length > maxKeyLength)
    assert.isTrue(Result.isFailure(parseKey(T, parts.join("|"))))
    assert.isTrue(Result.isSuccess(parseKey(T, ["x".repeat(maxPartLength), "y".repeat(128), "z".repeat(128), "w".repeat(125)].join("|"))))
  })

  it("rejects every key with one malformed part", () => fc.assert(Laws.malformedKeyRefused(), runs))

  it("rejects every prefix with one malformed part", () => fc.assert(Laws.malformedPrefixRefused(), runs))

  it("rejects keys with the wrong number of parts or a trailing separator", () => fc.assert(Laws.partCountChecked(), runs))

  it("rejects parts that hide a separator in formatKey", () => {
    assert.isTrue(Result.isFailure(formatKey(T, ["S1|SKU", "DAMAGED", "D1"])))
  })

  it("rejects the empty key and the empty prefix", () => {
    assert.isTrue(Result.isFailure(parseKey(T, "")))
    assert.isTrue(Result.isFailure(parsePrefix(T, "")))
  })

  it("never matches a longer part with a shorter prefix", () => {
    const prefix = (raw: string) => ok(parsePrefix(T, raw))
    const k = (raw: string) => ok(parseKey(T, raw))
    assert.isTrue(matches(prefix("S1"), k("S1|A|B|D1")))
    assert.isFalse(matches(prefix("S1"), k("S10|A|B|D1")))
    assert.isFalse(matches(prefix("S1|A"), k("S1|AB|B|D1")))
    assert.isTrue(matches(prefix("S1|A|B|D1"), k("S1|A|B|D1")))
    assert.isFalse(matches(prefix("S1|A|B|D1"), k("S1|A|B|D10")))
    assert.isFalse(matches(prefix("S1|A|B|D10"), k("S1|A|B|D1")))
  })

  it("matches exactly like a whole-part comparison on random keys", () => fc.assert(Laws.prefixMatchesNaive(), { numRuns: 500 }))

  it("the naive reference itself tells whole parts apart", () => {
    assert.isTrue(Laws.naiveMatches(["S1"], "S1|A|B|D1"))
    assert.isFalse(Laws.naiveMatches(["S1"], "S10|A|B|D1"))
    assert.isFalse(Laws.naiveMatches(["S1", "A"], "S1|AB|B|D1"))
  })
})
