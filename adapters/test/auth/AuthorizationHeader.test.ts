import { assert, describe, it } from "@effect/vitest"
import { Option, Redacted } from "effect"
import { looksLikeJwt, parseAuthorization } from "../../src/auth/AuthorizationHeader.ts"

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64")

const basic = (header: string) => {
  const parsed = parseAuthorization(header)
  if (Option.isNone(parsed) || parsed.value._tag !== "Basic") return undefined
  return [parsed.value.apiId, Redacted.value(parsed.value.password)]
}

describe("parseAuthorization", () => {
  it("reads Basic api_id:password with any scheme case, passwords may hold colons and unicode", () => {
    assert.deepStrictEqual(basic(`Basic ${b64("10020-140:pw")}`), ["10020-140", "pw"])
    assert.deepStrictEqual(basic(`bAsIc ${b64("id:a:b:ç")}`), ["id", "a:b:ç"])
  })

  it("reads Bearer tokens with any scheme case", () => {
    for (const header of ["Bearer abc.DEF-_~+/==", "BEARER abc.DEF-_~+/=="]) {
      const parsed = parseAuthorization(header)
      assert.isTrue(Option.isSome(parsed) && parsed.value._tag === "Bearer" && Redacted.value(parsed.value.token) === "abc.DEF-_~+/==")
    }
  })

  it("rejects malformed headers", () => {
    const bad = [
      undefined, "", "Basic", "Basic ", `Basic  ${b64("a:b")}`, ` Basic ${b64("a:b")}`, `Basic ${b64("a:b")} `,
      `Basic ${b64("ab")}`, `Basic ${b64(":b")}`, `Basic ${b64("a:")}`, "Basic !!!!", "Basic YTpi=", "Basic YTpiYw",
      `Basic ${Buffer.from([0x61, 0x3a, 0xff, 0xfe]).toString("base64")}`, `Digest ${b64("a:b")}`,
      "Bearer", "Bearer ", "Bearer a b", "Bearer a\tb", "Bearer tök", "Bearer =abc", `Bearer ${"a".repeat(9000)}`,
      `Basic ${b64(`a:${"b".repeat(7000)}`)}`, "Token abc"
    ]
    for (const header of bad) assert.isTrue(Option.isNone(parseAuthorization(header)), String(header).slice(0, 40))
  })

  it("recognises the JWT shape", () => {
    assert.isTrue(looksLikeJwt("eyJh.eyJz.c2ln"))
    assert.isFalse(looksLikeJwt("eyJh.eyJz"))
    assert.isFalse(looksLikeJwt("a.b.c.d"))
    assert.isFalse(looksLikeJwt("a+b.c.d"))
  })
})
