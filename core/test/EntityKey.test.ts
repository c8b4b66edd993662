import { assert, describe, it } from "@effect/vitest"
import { Result } from "effect"
import * as fc from "fast-check"
import {
  type EntityKey,
  type EntityPrefix,
  formatKey,
  keyParts,
  matches,
  maxKeyLength,
  maxPartLength,
  parseKey,
  parsePrefix
} from "../src/EntityKey.ts"

const T = "shipment_item" as const
const runs = { numRuns: 200 }

// Valid parts: any well-formed code point except `|` and controls, including astral ones.
const partChar = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("a", "Z", "0", "-", "_", " ", ".") },
  { weight: 1, arbitrary: fc.constantFrom("é", "ß", "中", "\uFF5A", "😀", "𝔘", "\u00A0") },
  { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) }
).filter((c) => c !== "|" && !/[\u0000-\u001f\u007f-\u009f]/.test(c))
// Spaces inside a part are fine; at either end they are refused (a key that looks like another).
const part = (maxLength = 120) => fc.string({ unit: partChar, minLength: 1, maxLength }).filter((p) => p.trim() === p)
const fullParts = fc.array(part(), { minLength: 4, maxLength: 4 })
const prefixParts = fc.array(part(), { minLength: 1, maxLength: 4 })

/** Ways to break one part. Each yields a part the contract refuses. */
const badPartText = fc.oneof(
  fc.constant(""),
  fc.tuple(part(20), fc.integer({ min: 0, max: 0x1f }), part(20)).map(([a, c, b]) => a + String.fromCharCode(c) + b),
  fc.tuple(part(20), fc.constantFrom(0x7f, 0x80, 0x85, 0x9f)).map(([a, c]) => a + String.fromCharCode(c)),
  fc.tuple(part(20), fc.integer({ min: 0xd800, max: 0xdfff })).map(([a, c]) => String.fromCharCode(c) + a),
  fc.string({ unit: partChar, minLength: maxPartLength + 1, maxLength: maxPartLength + 20 }),
  fc.tuple(part(20), fc.constantFrom(" ", "\u00A0", "\u2003", "\uFEFF"), fc.boolean())
    .map(([a, space, leading]) => leading ? space + a : a + space)
)
/** In a full key, a `|` inside a part is caught too (it makes a fifth part); in a prefix it only splits. */
const badPart = fc.oneof(badPartText, fc.tuple(part(20), part(20)).map(([a, b]) => `${a}|${b}`))

const ok = <A, E>(r: Result.Result<A, E>): A => {
  if (Result.isFailure(r)) throw new Error(`expected success, got ${JSON.stringify(r.failure)}`)
  return r.success
}

/** The reference: a prefix matches a key when its parts equal the key's leading parts. */
const naiveMatches = (prefixParts: ReadonlyArray<string>, key: string): boolean => {
  const parts = key.split("|")
  return prefixParts.every((p, i) => parts[i] === p)
}

describe("EntityKey", () => {
  it("round-trips parts through formatKey and keyParts", () =>
    fc.assert(
      fc.property(fullParts, (parts) => {
        const key = ok(formatKey(T, parts))
        assert.deepStrictEqual(keyParts(key), parts)
        assert.strictEqual(ok(parseKey(T, key)), key)
      }),
      runs
    ))

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

  it("rejects every key with one malformed part", () =>
    fc.assert(
      fc.property(fullParts, badPart, fc.nat(3), (parts, bad, at) => {
        const broken = parts.map((p, i) => (i === at ? bad : p))
        assert.isTrue(Result.isFailure(parseKey(T, broken.join("|"))))
        assert.isTrue(Result.isFailure(formatKey(T, broken)))
      }),
      runs
    ))

  it("rejects every prefix with one malformed part", () =>
    fc.assert(
      fc.property(prefixParts, badPartText, fc.nat(3), (parts, bad, at) => {
        const broken = parts.map((p, i) => (i === at % parts.length ? bad : p))
        assert.isTrue(Result.isFailure(parsePrefix(T, broken.join("|"))))
      }),
      runs
    ))

  it("rejects keys with the wrong number of parts or a trailing separator", () =>
    fc.assert(
      fc.property(fc.array(part(20), { minLength: 1, maxLength: 8 }), (parts) => {
        const raw = parts.join("|")
        assert.strictEqual(Result.isSuccess(parseKey(T, raw)), parts.length === 4)
        assert.strictEqual(Result.isSuccess(parsePrefix(T, raw)), parts.length <= 4)
        assert.isTrue(Result.isFailure(parseKey(T, raw + "|")))
        assert.isTrue(Result.isFailure(parsePrefix(T, raw + "|")))
        assert.isTrue(Result.isFailure(parsePrefix(T, "|" + raw)))
      }),
      runs
    ))

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

  it("matches exactly like a whole-part comparison on random keys", () => {
    // A tiny alphabet makes shared leading characters (S1 vs S10) frequent.
    const tiny = fc.string({ unit: fc.constantFrom("a", "b", "é", "😀"), minLength: 1, maxLength: 3 })
    fc.assert(
      fc.property(
        fc.array(tiny, { minLength: 4, maxLength: 4 }),
        fc.array(tiny, { minLength: 1, maxLength: 4 }),
        (keyPartsArb, pre) => {
          const key: EntityKey = ok(formatKey(T, keyPartsArb))
          const prefix: EntityPrefix = ok(parsePrefix(T, pre.join("|")))
          assert.strictEqual(matches(prefix, key), naiveMatches(pre, key))
          // A prefix made from the key's own leading parts always matches it.
          const own = ok(parsePrefix(T, keyPartsArb.slice(0, pre.length).join("|")))
          assert.isTrue(matches(own, key))
        }
      ),
      { numRuns: 500 }
    )
  })
})
