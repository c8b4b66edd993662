import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Redacted } from "effect"
import { hashSecret, parseSecretHash, verifySecretHash } from "../../src/auth/SecretHash.ts"

const fast = { N: 1024, r: 8, p: 1 }

describe("SecretHash", () => {
  it.effect("default hashes verify the secret and nothing else", () =>
    Effect.gen(function*() {
      const encoded = yield* hashSecret(Redacted.make("s3cret"))
      assert.match(encoded, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/)
      const parsed = Option.getOrThrow(parseSecretHash(encoded))
      assert.isTrue(yield* verifySecretHash(parsed, Redacted.make("s3cret")))
      assert.isFalse(yield* verifySecretHash(parsed, Redacted.make("s3cret ")))
    }))

  it.effect("salts: the same secret hashes differently each time", () =>
    Effect.gen(function*() {
      const a = yield* hashSecret(Redacted.make("x"), fast)
      const b = yield* hashSecret(Redacted.make("x"), fast)
      assert.notStrictEqual(a, b)
      assert.isTrue(yield* verifySecretHash(Option.getOrThrow(parseSecretHash(b)), Redacted.make("x")))
    }))

  it("rejects malformed or unaffordable hash strings", () => {
    const salt = Buffer.alloc(16, 1).toString("base64")
    const hash = Buffer.alloc(32, 2).toString("base64")
    assert.isTrue(Option.isSome(parseSecretHash(`scrypt$1024$8$1$${salt}$${hash}`)))
    for (const bad of [
      "", "plain", `bcrypt$1024$8$1$${salt}$${hash}`, `scrypt$1000$8$1$${salt}$${hash}`, `scrypt$512$8$1$${salt}$${hash}`,
      `scrypt$1048576$8$1$${salt}$${hash}`, `scrypt$1024$0$1$${salt}$${hash}`, `scrypt$1024$8$99$${salt}$${hash}`,
      `scrypt$1024$8$1$${salt}`, `scrypt$1024$8$1$!!$${hash}`, `scrypt$1024$8$1$${salt}$AAAA`, `scrypt$01024$8$1$${salt}$${hash}`
    ]) assert.isTrue(Option.isNone(parseSecretHash(bad)), bad)
  })
})
