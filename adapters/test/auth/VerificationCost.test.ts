/**
 * The work a verification does, counted at node:crypto's scrypt (issue 8):
 * timing must not tell an unknown api_id from a known one, nor a plain
 * password from a hashed one. Counts and parameters, never clocks.
 */
import { assert, describe, it } from "@effect/vitest"
import { vi } from "vitest"
import { Effect, Redacted } from "effect"
import { make } from "../../src/auth/CredentialsAuthenticator.ts"
import { hashSecret } from "../../src/auth/SecretHash.ts"

/** Every scrypt call as `N=.. r=.. p=..`, in call order. */
const recorded = vi.hoisted(() => ({ calls: [] as Array<string> }))

vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:crypto")>()
  const scrypt = (...args: Array<any>) => {
    const options = args[3] as { N: number; r: number; p: number }
    recorded.calls.push(`N=${options.N} r=${options.r} p=${options.p}`)
    return (actual.scrypt as (...a: Array<any>) => void)(...args)
  }
  return { ...actual, scrypt, default: { ...actual, scrypt } }
})

const fast = { N: 1024, r: 8, p: 1 }
const defaultCheck = "N=32768 r=8 p=1"
const fastCheck = "N=1024 r=8 p=1"
const basic = (id: string, password: string) => `Basic ${Buffer.from(`${id}:${password}`).toString("base64")}`

type Auth = Effect.Success<ReturnType<typeof make>>

/** The outcome of one authentication and the scrypt checks it ran. */
const costOf = (auth: Auth, header: string) =>
  Effect.gen(function*() {
    recorded.calls.length = 0
    const outcome = yield* auth.authenticate(header).pipe(
      Effect.map((p) => p.accountId as string),
      Effect.catch((e) => Effect.succeed(e._tag))
    )
    return [outcome, [...recorded.calls]]
  })

describe("CredentialsAuthenticator verification cost", () => {
  it.effect("a wrong password costs one scrypt check with the same parameters for an unknown, a plain and a hashed api_id", () =>
    Effect.gen(function*() {
      const auth = yield* make({
        credentials: [
          { account_id: "1", api_id: "plain-id", password: "plain-pw", permissions: ["media:read"] },
          { account_id: "2", api_id: "hashed-id", password_hash: yield* hashSecret(Redacted.make("hashed-pw")), permissions: ["media:read"] }
        ]
      })
      const expected = ["Unauthenticated", [defaultCheck]]
      assert.deepStrictEqual(yield* costOf(auth, basic("nobody", "guess")), expected, "unknown api_id")
      assert.deepStrictEqual(yield* costOf(auth, basic("plain-id", "guess")), expected, "plain password")
      assert.deepStrictEqual(yield* costOf(auth, basic("hashed-id", "guess")), expected, "hashed password")
    }))

  it.effect("a file of plain passwords only: unknown and known api_ids both cost one default scrypt check", () =>
    Effect.gen(function*() {
      const auth = yield* make({
        credentials: [{ account_id: "1", api_id: "plain-id", password: "plain-pw", permissions: ["media:read"] }]
      })
      assert.deepStrictEqual(yield* costOf(auth, basic("nobody", "guess")), ["Unauthenticated", [defaultCheck]])
      assert.deepStrictEqual(yield* costOf(auth, basic("plain-id", "guess")), ["Unauthenticated", [defaultCheck]])
    }))

  it.effect("unknown api_ids are checked with the parameters the file's hashes use", () =>
    Effect.gen(function*() {
      const auth = yield* make({
        credentials: [
          { account_id: "1", api_id: "plain-id", password: "plain-pw", permissions: ["media:read"] },
          { account_id: "2", api_id: "hashed-id", password_hash: yield* hashSecret(Redacted.make("hashed-pw"), fast), permissions: ["media:read"] }
        ]
      })
      assert.deepStrictEqual(yield* costOf(auth, basic("hashed-id", "guess")), ["Unauthenticated", [fastCheck]])
      assert.deepStrictEqual(yield* costOf(auth, basic("nobody", "guess")), ["Unauthenticated", [fastCheck]])
      assert.deepStrictEqual(yield* costOf(auth, basic("plain-id", "guess")), ["Unauthenticated", [fastCheck]])
    }))

  it.effect("a first login costs one check, plain or hashed; a repeated one is a cache hit and costs none", () =>
    Effect.gen(function*() {
      const auth = yield* make({
        credentials: [
          { account_id: "1", api_id: "plain-id", password: "plain-pw", permissions: ["media:read"] },
          { account_id: "2", api_id: "hashed-id", password_hash: yield* hashSecret(Redacted.make("hashed-pw"), fast), permissions: ["media:read"] }
        ]
      })
      assert.deepStrictEqual(yield* costOf(auth, basic("plain-id", "plain-pw")), ["1", [fastCheck]])
      assert.deepStrictEqual(yield* costOf(auth, basic("hashed-id", "hashed-pw")), ["2", [fastCheck]])
      assert.deepStrictEqual(yield* costOf(auth, basic("plain-id", "plain-pw")), ["1", []])
      assert.deepStrictEqual(yield* costOf(auth, basic("hashed-id", "hashed-pw")), ["2", []])
    }))

  it.effect("an unknown Bearer token costs one check per token_hash entry; plain tokens cost none", () =>
    Effect.gen(function*() {
      const auth = yield* make({
        credentials: [
          { account_id: "1", token: "plain-token", permissions: ["media:read"] },
          { account_id: "2", token_hash: yield* hashSecret(Redacted.make("hashed-token-1"), fast), permissions: ["media:read"] },
          { account_id: "3", token_hash: yield* hashSecret(Redacted.make("hashed-token-2"), fast), permissions: ["media:read"] }
        ]
      })
      assert.deepStrictEqual(yield* costOf(auth, "Bearer unknown-token"), ["Unauthenticated", [fastCheck, fastCheck]])
      assert.deepStrictEqual(yield* costOf(auth, "Bearer plain-token"), ["1", []])
    }))
})
