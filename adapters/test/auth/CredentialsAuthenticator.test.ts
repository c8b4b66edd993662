import { assert, describe, it } from "@effect/vitest"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { Authenticator } from "@media-object-storage/core/ports/Authenticator"
import { fromCredentialsFile, layer, make } from "../../src/auth/CredentialsAuthenticator.ts"
import { generateCredentials } from "../../src/auth/GenerateCredentials.ts"
import { hashSecret } from "../../src/auth/SecretHash.ts"
import type { AccountId } from "@media-object-storage/core/Ids"

const fast = { N: 1024, r: 8, p: 1 }
const basic = (id: string, password: string) => `Basic ${Buffer.from(`${id}:${password}`).toString("base64")}`

const documentWithHashes = Effect.gen(function*() {
  return {
    credentials: [
      { account_id: "10020", api_id: "10020-140", password: "plain-pw:with:colons", permissions: ["media:read", "media:write"] },
      { account_id: "10021", api_id: "10021-1", password_hash: yield* hashSecret(Redacted.make("hashed-pw"), fast), permissions: ["media:read"] },
      { account_id: "10022", token: "plain-token", permissions: ["media:write"] },
      { account_id: "10023", token_hash: yield* hashSecret(Redacted.make("hashed.token"), fast), permissions: [] }
    ]
  }
})

const principal = (auth: { authenticate: Authenticator["Service"]["authenticate"] }, header: string | undefined) =>
  auth.authenticate(header).pipe(Effect.map((p): [string, Array<string>] => [p.accountId, [...p.permissions].sort()]))

const rejected = (auth: { authenticate: Authenticator["Service"]["authenticate"] }, header: string | undefined) =>
  auth.authenticate(header).pipe(Effect.flip, Effect.map((e) => e._tag))

describe("CredentialsAuthenticator", () => {
  it.effect("accepts Basic and Bearer credentials, plain and hashed, carrying account and permissions", () =>
    Effect.gen(function*() {
      const auth = yield* make(yield* documentWithHashes)
      assert.deepStrictEqual(yield* principal(auth, basic("10020-140", "plain-pw:with:colons")), ["10020", ["media:read", "media:write"]])
      assert.deepStrictEqual(yield* principal(auth, `basic ${Buffer.from("10021-1:hashed-pw").toString("base64")}`), ["10021", ["media:read"]])
      assert.deepStrictEqual(yield* principal(auth, "Bearer plain-token"), ["10022", ["media:write"]])
      assert.deepStrictEqual(yield* principal(auth, "bearer hashed.token"), ["10023", []])
    }))

  it.effect("rejects wrong secrets, unknown ids, secrets of another entry and malformed headers", () =>
    Effect.gen(function*() {
      const auth = yield* make(yield* documentWithHashes)
      for (const header of [
        basic("10020-140", "plain-pw"), basic("10021-1", "hashed-pw "), basic("nobody", "plain-pw:with:colons"),
        basic("10021-1", "plain-pw:with:colons"), basic("10020-140", "hashed-pw"),
        "Bearer plain-tokeN", "Bearer hashed.tokenx", "Bearer hashed-pw", "Bearer  plain-token", "Bearer plain token",
        undefined, "", "plain-token", `Basic ${Buffer.from("10020-140").toString("base64")}`, "Basic %%%%"
      ]) {
        assert.strictEqual(yield* rejected(auth, header), "Unauthenticated", String(header))
      }
    }))

  it.effect("keeps accepting a hashed secret it has cached, also after the cache expired", () =>
    Effect.gen(function*() {
      const auth = yield* make(yield* documentWithHashes, { cacheTtlSeconds: 60 })
      for (let i = 0; i < 3; i++) assert.deepStrictEqual(yield* principal(auth, basic("10021-1", "hashed-pw")), ["10021", ["media:read"]])
      assert.strictEqual(yield* rejected(auth, basic("10021-1", "hashed-pw!")), "Unauthenticated")
      yield* TestClock.adjust("2 minutes")
      assert.deepStrictEqual(yield* principal(auth, "Bearer hashed.token"), ["10023", []])
      assert.deepStrictEqual(yield* principal(auth, basic("10021-1", "hashed-pw")), ["10021", ["media:read"]])
    }))

  it.effect("a bad document is a startup error", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(make({ credentials: [{ account_id: "x y", token: "t", permissions: [] }] }))
      assert.strictEqual(error._tag, "CredentialsFileError")
    }))

  it.effect("generated credentials authenticate and are stored hashed", () =>
    Effect.gen(function*() {
      const generated = yield* generateCredentials("10020" as AccountId)
      const stored = JSON.stringify(generated.document)
      assert.notInclude(stored, Redacted.value(generated.password))
      assert.include(stored, "scrypt$")
      const auth = yield* make(JSON.parse(stored))
      assert.deepStrictEqual(yield* principal(auth, Redacted.value(generated.authorization)), ["10020", ["media:read", "media:write"]])
      assert.deepStrictEqual(yield* principal(auth, basic(generated.apiId, Redacted.value(generated.password))), ["10020", ["media:read", "media:write"]])
      assert.notInclude(String(generated.password), Redacted.value(generated.password))
    }))

  it.effect("reads the file named by MEDIA_AUTH_FILE", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.acquireRelease(
        Effect.sync(() => mkdtempSync(join(tmpdir(), "auth-"))),
        (d) => Effect.sync(() => rmSync(d, { recursive: true, force: true }))
      )
      const path = join(dir, "credentials.json")
      writeFileSync(path, JSON.stringify(yield* documentWithHashes))
      const viaLayer = layer({ authFile: path, jwt: undefined })
      const p = yield* Authenticator.use((a) => a.authenticate("Bearer plain-token")).pipe(Effect.provide(viaLayer))
      assert.strictEqual(p.accountId, "10022")
      assert.strictEqual((yield* Effect.flip(fromCredentialsFile(join(dir, "missing.json"))))._tag, "CredentialsFileError")
      writeFileSync(path, `{"credentials": [{"token": "SECRET-IN-BROKEN-JSON"`)
      const broken = yield* Effect.flip(fromCredentialsFile(path))
      assert.notInclude(broken.message, "SECRET")
      const noFile = yield* Authenticator.use((a) => a.authenticate("Bearer x")).pipe(
        Effect.provide(layer({ authFile: undefined, jwt: undefined })),
        Effect.flip
      )
      assert.strictEqual(noFile._tag, "CredentialsFileError")
      assert.include(noFile.message, "MEDIA_AUTH_FILE")
    }))
})
