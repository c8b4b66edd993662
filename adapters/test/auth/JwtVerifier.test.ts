import { assert, describe, it } from "@effect/vitest"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { exportJWK, exportSPKI, generateKeyPair, type JWTPayload, SignJWT } from "jose"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { make } from "../../src/auth/CredentialsAuthenticator.ts"

const now = 1_800_000_000
type Key = Awaited<ReturnType<typeof generateKeyPair>>

const keys = Effect.promise(() => Promise.all([generateKeyPair("RS256", { extractable: true }), generateKeyPair("ES256", { extractable: true })]))

const sign = (key: Key, claims: JWTPayload, options: { alg?: string; exp?: number | null; kid?: string } = {}) =>
  Effect.promise(() => {
    const jwt = new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? "RS256", ...(options.kid ? { kid: options.kid } : {}) }).setIssuedAt(now)
    if (options.exp !== null) jwt.setExpirationTime(options.exp ?? now + 3600)
    return jwt.sign(key.privateKey)
  })

const outcome = (auth: { authenticate: (h: string) => Effect.Effect<{ accountId: string; permissions: ReadonlySet<string> }, { _tag: string }> }, token: string) =>
  auth.authenticate(`Bearer ${token}`).pipe(
    Effect.map((p) => `${p.accountId} ${[...p.permissions].sort().join(",")}`),
    Effect.catch((e) => Effect.succeed(e._tag))
  )

describe("JWT bearer tokens", () => {
  it.effect("verifies against a PEM key and maps account_id and the media scopes", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now * 1000)
      const [rsa, ec] = yield* keys
      const pem = yield* Effect.promise(() => exportSPKI(rsa.publicKey))
      const auth = yield* make({
        credentials: [
          { account_id: "7", token: "static-token", permissions: ["media:read"] },
          // A static token shaped like a JWT: tried as one, refused, then found in the file.
          { account_id: "8", token: "aGVsbG8.d29ybGQ.c3RhdGlj", permissions: ["media:write"] }
        ]
      }, {
        jwt: { publicKeyPem: pem, issuer: "https://issuer.test", audience: "media" }
      })
      const claims = { account_id: "10020", scope: "openid media:write media:read media:admin", iss: "https://issuer.test", aud: "media" }
      assert.strictEqual(yield* outcome(auth, yield* sign(rsa, claims)), "10020 media:read,media:write")
      assert.strictEqual(yield* outcome(auth, yield* sign(rsa, { ...claims, scope: "profile" })), "10020 ")
      assert.strictEqual(yield* outcome(auth, yield* sign(rsa, { account_id: "10020", iss: claims.iss, aud: "media" })), "10020 ")
      assert.strictEqual(yield* outcome(auth, "static-token"), "7 media:read")
      assert.strictEqual(yield* outcome(auth, "aGVsbG8.d29ybGQ.c3RhdGlj"), "8 media:write")

      const rejected: ReadonlyArray<string> = [
        yield* sign(rsa, claims, { exp: now - 3600 }),
        yield* sign(rsa, claims, { exp: null }),
        yield* sign(ec, claims, { alg: "ES256" }),
        yield* sign(rsa, { ...claims, account_id: undefined }),
        yield* sign(rsa, { ...claims, account_id: "bad id" }),
        yield* sign(rsa, { ...claims, account_id: 10020 }),
        yield* sign(rsa, { ...claims, scope: ["media:read"] }),
        yield* sign(rsa, { ...claims, iss: "https://other.test" }),
        yield* sign(rsa, { ...claims, aud: "other" }),
        (yield* sign(rsa, claims)).slice(0, -4) + "AAAA",
        "eyJhbGciOiJub25lIn0.eyJhY2NvdW50X2lkIjoiMTAwMjAiLCJleHAiOjE5MDAwMDAwMDB9.sig"
      ]
      for (const token of rejected) assert.strictEqual(yield* outcome(auth, token), "Unauthenticated", token.slice(0, 30))

      const valid = yield* sign(rsa, claims)
      yield* TestClock.setTime((now + 3600 + 31) * 1000)
      assert.strictEqual(yield* outcome(auth, valid), "Unauthenticated")
    }))

  it.effect("verifies against a JWKS served over loopback HTTP", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now * 1000)
      const [rsa, ec] = yield* keys
      const jwk = { ...(yield* Effect.promise(() => exportJWK(ec.publicKey))), kid: "ec-1", alg: "ES256", use: "sig" }
      const port = yield* Effect.acquireRelease(
        Effect.callback<{ server: ReturnType<typeof createServer>; port: number }>((resume) => {
          const server = createServer((_req, res) => {
            res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] }))
          })
          server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ server, port: (server.address() as AddressInfo).port })))
        }),
        ({ server }) => Effect.callback<void>((resume) => { server.closeAllConnections(); server.close(() => resume(Effect.void)) })
      ).pipe(Effect.map((s) => s.port))
      const auth = yield* make({ credentials: [] }, { jwt: { jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json` } })
      const claims = { account_id: "10020", scope: "media:read" }
      assert.strictEqual(yield* outcome(auth, yield* sign(ec, claims, { alg: "ES256", kid: "ec-1" })), "10020 media:read")
      assert.strictEqual(yield* outcome(auth, yield* sign(rsa, claims, { kid: "ec-1" })), "Unauthenticated")
      assert.strictEqual(yield* outcome(auth, yield* sign(ec, claims, { alg: "ES256", kid: "other" })), "Unauthenticated")
    }))

  it.effect("misconfiguration is a startup error", () =>
    Effect.gen(function*() {
      for (const jwt of [{}, { jwksUrl: "http://127.0.0.1:1/jwks", publicKeyPem: "x" }, { jwksUrl: "not a url" }, { publicKeyPem: "not a pem" }]) {
        assert.strictEqual((yield* Effect.flip(make({ credentials: [] }, { jwt })))._tag, "JwtConfigError")
      }
    }))
})
