/**
 * Authenticator from the credentials file (SPEC §5): Basic api_id:password and
 * Bearer tokens, plain or scrypt-hashed, plus optional signed JWTs.
 */
import { timingSafeEqual } from "node:crypto"
import { Config, Effect, Layer, Option, Redacted, Semaphore } from "effect"
import { Authenticator, type Principal, Unauthenticated } from "@media/core/ports/Authenticator"
import { looksLikeJwt, parseAuthorization, type PresentedCredentials } from "./AuthorizationHeader.ts"
import { readCredentialsFile, type SecretCheck, sha256, type ValidCredential, validateCredentials } from "./CredentialsFile.ts"
import { type JwtOptions, makeJwtVerifier } from "./JwtVerifier.ts"
import { defaultScryptParams, type SecretHash, verifySecretHash } from "./SecretHash.ts"
import { makeVerifiedSecretCache } from "./VerifiedSecretCache.ts"

export interface AuthenticatorOptions {
  readonly jwt?: JwtOptions | undefined
  /** How long a verified hashed secret is remembered; default 5 minutes. */
  readonly cacheTtlSeconds?: number | undefined
  /** scrypt checks running at once (each ~32 MiB and ~100 ms of a core); default 2. */
  readonly maxConcurrentHashChecks?: number | undefined
}

const denied = new Unauthenticated({ message: "missing or invalid credentials" })

/** Checked against for an unknown api_id, so it costs what a known one with a hashed password costs. */
const dummyHash: SecretHash = { params: defaultScryptParams, salt: Buffer.alloc(16), hash: Buffer.alloc(32) }
const dummyDigest = Buffer.alloc(32)

const principalOf = (credential: ValidCredential): Principal => ({ accountId: credential.accountId, permissions: credential.permissions })

export const make = Effect.fn("CredentialsAuthenticator.make")(function*(document: unknown, options: AuthenticatorOptions = {}) {
  return yield* fromValidCredentials(yield* validateCredentials(document), options)
})

export const fromCredentialsFile = Effect.fn("CredentialsAuthenticator.fromFile")(function*(path: string, options: AuthenticatorOptions = {}) {
  return yield* fromValidCredentials(yield* readCredentialsFile(path), options)
})

const fromValidCredentials = Effect.fn(function*(credentials: ReadonlyArray<ValidCredential>, options: AuthenticatorOptions) {
  const verifyJwt = options.jwt === undefined ? undefined : yield* makeJwtVerifier(options.jwt)
  const hashChecks = yield* Semaphore.make(options.maxConcurrentHashChecks ?? 2)
  const cache = makeVerifiedSecretCache((options.cacheTtlSeconds ?? 300) * 1000, 10_000)
  const byApiId = new Map(credentials.flatMap((c) => (c.apiId === undefined ? [] : [[c.apiId, c] as const])))
  const tokens = credentials.filter((c) => c.apiId === undefined)
  const anyHashedPassword = credentials.some((c) => c.apiId !== undefined && c.check._tag === "Hashed")

  /** Plain secrets: equal-length SHA-256 digests compared in constant time. Hashed: scrypt, bounded in concurrency. */
  const matches = (check: SecretCheck, secret: Redacted.Redacted<string>, presentedDigest: Buffer) =>
    check._tag === "Plain"
      ? Effect.succeed(timingSafeEqual(check.digest, presentedDigest))
      : Semaphore.withPermit(hashChecks, verifySecretHash(check.hash, secret))

  const basic = Effect.fnUntraced(function*(apiId: string, password: Redacted.Redacted<string>, digest: Buffer) {
    const credential = byApiId.get(apiId)
    if (credential === undefined) {
      // The same kind of work as for a known api_id, so timing does not tell which ids exist.
      yield* anyHashedPassword ? matches({ _tag: "Hashed", hash: dummyHash }, password, digest) : matches({ _tag: "Plain", digest: dummyDigest }, password, digest)
      return undefined
    }
    return (yield* matches(credential.check, password, digest)) ? credential : undefined
  })

  const bearer = Effect.fnUntraced(function*(token: Redacted.Redacted<string>, digest: Buffer) {
    let found: ValidCredential | undefined
    // Every plain token is compared (no early exit); hashed tokens are tried until one matches.
    for (const credential of tokens) {
      if (credential.check._tag === "Plain" && timingSafeEqual(credential.check.digest, digest)) found = credential
    }
    for (const credential of tokens) {
      if (found !== undefined) break
      if (credential.check._tag === "Hashed" && (yield* matches(credential.check, token, digest))) found = credential
    }
    return found
  })

  const check = Effect.fnUntraced(function*(presented: PresentedCredentials) {
    if (presented._tag === "Bearer" && verifyJwt !== undefined && looksLikeJwt(Redacted.value(presented.token))) {
      const fromJwt = yield* Effect.option(verifyJwt(Redacted.value(presented.token)))
      if (Option.isSome(fromJwt)) return fromJwt.value
      // Not a JWT we accept: it may still be a static token of the file that happens to be shaped like one.
      if (tokens.length === 0) return yield* denied
    }
    const secret = presented._tag === "Basic" ? presented.password : presented.token
    const digest = sha256(secret)
    // The cache key binds the scheme and api_id too, so one password cannot stand in for another id's.
    // It holds the secret's digest, never the secret: one hash per request, not two.
    const cacheKey = `${presented._tag === "Basic" ? `basic\u0000${presented.apiId}` : "bearer"}\u0000${digest.toString("base64")}`
    const cached = yield* cache.get(cacheKey)
    if (cached !== undefined) return cached
    const credential = presented._tag === "Basic" ? yield* basic(presented.apiId, secret, digest) : yield* bearer(secret, digest)
    if (credential === undefined) return yield* denied
    const principal = principalOf(credential)
    if (credential.check._tag === "Hashed") yield* cache.set(cacheKey, principal)
    return principal
  })

  return Authenticator.of({
    authenticate: Effect.fnUntraced(function*(authorization: string | undefined) {
      const presented = parseAuthorization(authorization)
      if (Option.isNone(presented)) return yield* denied
      return yield* check(presented.value)
    })
  })
})

const optionalString = (name: string) => Config.String(name).pipe(Config.option, Config.map(Option.getOrUndefined))

/**
 * Reads MEDIA_AUTH_FILE and the optional MEDIA_JWT_JWKS_URL, MEDIA_JWT_PUBLIC_KEY
 * (PEM), MEDIA_JWT_ISSUER, MEDIA_JWT_AUDIENCE. With a JWT key configured the
 * credentials file is optional.
 */
export const layer = Layer.effect(
  Authenticator,
  Effect.gen(function*() {
    const jwksUrl = yield* optionalString("MEDIA_JWT_JWKS_URL")
    const publicKeyPem = yield* optionalString("MEDIA_JWT_PUBLIC_KEY")
    const jwt = jwksUrl === undefined && publicKeyPem === undefined ? undefined : {
      jwksUrl,
      publicKeyPem,
      issuer: yield* optionalString("MEDIA_JWT_ISSUER"),
      audience: yield* optionalString("MEDIA_JWT_AUDIENCE")
    }
    const path = jwt === undefined ? yield* Config.String("MEDIA_AUTH_FILE") : yield* optionalString("MEDIA_AUTH_FILE")
    return path === undefined ? yield* make({ credentials: [] }, { jwt }) : yield* fromCredentialsFile(path, { jwt })
  })
)
