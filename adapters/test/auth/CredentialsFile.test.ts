import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { validateCredentials } from "../../src/auth/CredentialsFile.ts"

const secret = "TOP-SECRET-VALUE"
const rw = ["media:read", "media:write"]

const errorOf = (document: unknown) => validateCredentials(document).pipe(Effect.flip, Effect.map((e) => e.message))

describe("validateCredentials", () => {
  it.effect("accepts Basic and Bearer entries, plain and hashed", () =>
    Effect.gen(function*() {
      const valid = yield* validateCredentials({
        credentials: [
          { account_id: "10020", api_id: "10020-140", password: "pw", permissions: rw },
          { account_id: "10020", token: "tok", permissions: ["media:read"] },
          { account_id: "a.b_c-1", api_id: "x", password_hash: `scrypt$1024$8$1$${"A".repeat(22)}==$${"B".repeat(43)}=`, permissions: [] }
        ]
      })
      assert.deepStrictEqual(valid.map((c) => [c.index, c.accountId, c.apiId, c.check._tag, [...c.permissions]]), [
        [0, "10020", "10020-140", "Plain", rw],
        [1, "10020", undefined, "Plain", ["media:read"]],
        [2, "a.b_c-1", "x", "Hashed", []]
      ])
    }))

  it.effect("names the entry index and never echoes a value", () =>
    Effect.gen(function*() {
      const ok = { account_id: "1", api_id: "ok", password: "pw", permissions: rw }
      const cases: ReadonlyArray<[unknown, string]> = [
        [{ account_id: "bad id", api_id: secret, password: secret, permissions: rw }, "account_id"],
        [{ account_id: "1", api_id: "a", password: secret, permissions: ["media:admin"] }, "permissions"],
        [{ account_id: "1", api_id: "a", permissions: rw }, "password"],
        [{ account_id: "1", api_id: "a", password: secret, password_hash: secret, permissions: rw }, "password_hash"],
        [{ account_id: "1", api_id: "a", password_hash: secret, permissions: rw }, "hash-secret"],
        [{ account_id: "1", api_id: "a", password: "", permissions: rw }, "password"],
        [{ account_id: "1", api_id: `a:${secret}`, password: secret, permissions: rw }, "api_id"],
        [{ account_id: "1", api_id: "a", password: secret, token: secret, permissions: rw }, "token"],
        [{ account_id: "1", password: secret, permissions: rw }, "api_id"],
        [{ account_id: "1", token: `${secret} with space`, permissions: rw }, "token"],
        [{ account_id: "1", token: 42, permissions: rw }, "token"],
        [{ account_id: "1", token: secret, permissions: rw, [secret]: 1 }, "unknown field"],
        [{ account_id: "1", permissions: rw }, "token"],
        [{ ...ok }, "repeats the \"api_id\""],
        [secret, "object"]
      ]
      for (const [entry, mentions] of cases) {
        const message = yield* errorOf({ credentials: [ok, entry] })
        assert.include(message, "credentials[1]", message)
        assert.include(message, mentions, message)
        assert.notInclude(message, secret, message)
      }
      const tokens = yield* errorOf({ credentials: [{ account_id: "1", token: secret, permissions: rw }, { account_id: "2", token: secret, permissions: [] }] })
      assert.include(tokens, "credentials[1] repeats the \"token\"")
    }))

  it.effect("rejects a document without a credentials list", () =>
    Effect.gen(function*() {
      for (const document of [null, [], { credentials: {} }, { credentials: [], extra: secret }]) {
        assert.notInclude(yield* errorOf(document), secret)
      }
    }))
})
