/**
 * Authenticator from the credentials file (SPEC §5): Basic api_id:password and
 * Bearer tokens, plain or scrypt-hashed, plus optional signed JWTs.
 *
 * Timing (issue 8): every Basic password is a scrypt hash with one set of
 * parameters — plain passwords are hashed when the file is loaded, and an
 * unknown api_id is checked against a hash no password matches — so a wrong
 * password costs one identical check whether the id is unknown, plain or
 * hashed. Slow checks pass a bounded gate (HashCheckGate); cache hits never do.
 *
 * Verified credentials are cached by the Authorization header as presented
 * (issue 13): a repeat costs a map lookup, no parsing or hashing. JWTs are
 * never cached (each use checks the expiry).
 */
import { timingSafeEqual } from "node:crypto"
import { Deferred, Effect, Exit, Layer, Option, Redacted } from "effect"
import { Authenticator, type Principal, Unauthenticated } from "@media-object-storage/core/ports/Authenticator"
import { looksLikeJwt, maxAuthorizationLength, parseAuthorization, type PresentedCredentials } from "./AuthorizationHeader.ts"
import { ClientAddress } from "./ClientAddress.ts"
import { CredentialsFileError, readCredentialsFile, sha256, type ValidCredential, validateCredentials } from "./CredentialsFile.ts"
import { makeHashCheckGate } from "./HashCheckGate.ts"
import { type JwtOptions, makeJwtVerifier } from "./JwtVerifier.ts"
import {
  defaultScryptParams,
  makeSecretHash,
  sameScryptParams,
  type ScryptParams,
  type SecretHash,
  unmatchableSecretHash,
  verifySecretHash
} from "./SecretHash.ts"
import { makeVerifiedSecretCache } from "./VerifiedSecretCache.ts"

export interface AuthenticatorOptions {
  readonly jwt?: JwtOptions | undefined
  /** How long a verified secret is remembered after its last use; default 5 minutes. */
  readonly cacheTtlSeconds?: number | undefined
  /** scrypt checks running at once (each ~32 MiB and ~100 ms of a core); default 2. */
  readonly maxConcurrentHashChecks?: number | undefined
  /** scrypt checks waiting for a running place; more are answered 401 "busy" at once. Default 8. */
  readonly maxQueuedHashChecks?: number | undefined
  /**
   * Parameters every Basic password is checked with (plain ones are hashed
   * with them at load). Default: those most `password_hash` entries use (ties:
   * the costlier), or N=2^15, r=8, p=1 when there are none.
   */
  readonly hashParams?: ScryptParams | undefined
}

/** The 401 message for a wrong, unknown or malformed credential. */
export const deniedMessage = "missing or invalid credentials"
/** The 401 message when every place for a slow check is taken: the credential was not checked. */
export const busyMessage = "too many sign-ins are being checked; retry in a second"

const denied = new Unauthenticated({ message: deniedMessage })
const busy = new Unauthenticated({ message: busyMessage })

/** A Basic credential as the authenticator keeps it: always a slow hash, never the plain password. */
interface BasicEntry {
  readonly principal: Principal
  readonly hash: SecretHash
}

const principalOf = (credential: ValidCredential): Principal => ({ accountId: credential.accountId, permissions: credential.permissions })
const costOf = (p: ScryptParams) => p.N * p.r * p.p

/** The parameters most password hashes use (ties: the costlier); the defaults when there are none. */
const prevailingParams = (hashes: ReadonlyArray<SecretHash>): ScryptParams => {
  const counted: Array<{ params: ScryptParams; count: number }> = []
  for (const { params } of hashes) {
    const seen = counted.find((c) => sameScryptParams(c.params, params))
    if (seen === undefined) counted.push({ params, count: 1 })
    else seen.count++
  }
  counted.sort((a, b) => b.count - a.count || costOf(b.params) - costOf(a.params))
  return counted[0]?.params ?? defaultScryptParams
}

/** Validates `document` (the parsed credentials file) and builds the authenticator; see `fromCredentialsFile`. */
export const make = Effect.fn("CredentialsAuthenticator.make")(function*(document: unknown, options: AuthenticatorOptions = {}) {
  return yield* fromValidCredentials(yield* validateCredentials(document), options)
})

/**
 * Reads the credentials file at `path` (SPEC §5) and builds the authenticator.
 * Startup costs one scrypt check per plain `password` (at most
 * `maxConcurrentHashChecks` at once). Fails with `CredentialsFileError` for an
 * unreadable or invalid file, `JwtConfigError` for a bad JWT option.
 */
export const fromCredentialsFile = Effect.fn("CredentialsAuthenticator.fromFile")(function*(path: string, options: AuthenticatorOptions = {}) {
  return yield* fromValidCredentials(yield* readCredentialsFile(path), options)
})

const fromValidCredentials = Effect.fn(function*(credentials: ReadonlyArray<ValidCredential>, options: AuthenticatorOptions) {
  const verifyJwt = options.jwt === undefined ? undefined : yield* makeJwtVerifier(options.jwt)
  const maxRunning = options.maxConcurrentHashChecks ?? 2
  const gate = makeHashCheckGate({ maxRunning, maxWaiting: options.maxQueuedHashChecks ?? 8 })
  const cache = makeVerifiedSecretCache((options.cacheTtlSeconds ?? 300) * 1000, 10_000)

  const basics = credentials.filter((c) => c.apiId !== undefined)
  const params = options.hashParams ?? prevailingParams(basics.flatMap((c) => (c.check._tag === "Hashed" ? [c.check.hash] : [])))
  for (const c of basics) {
    if (c.check._tag === "Hashed" && !sameScryptParams(c.check.hash.params, params)) {
      // Parameters are not secret; the entry is named by index, never by value.
      yield* Effect.logWarning(
        `credentials[${c.index}] "password_hash" uses scrypt N=${c.check.hash.params.N},r=${c.check.hash.params.r},p=${c.check.hash.params.p}, ` +
          `not the N=${params.N},r=${params.r},p=${params.p} every other password is checked with: timing can tell its api_id apart. ` +
          "Rehash it with `npm run -s hash-secret`."
      )
    }
  }
  // Plain passwords become slow hashes now, so a check costs the same whatever the file holds.
  const entries = yield* Effect.forEach(basics, (c) =>
    Effect.map(
      c.check._tag === "Hashed" ? Effect.succeed(c.check.hash) : makeSecretHash(c.check.secret, params),
      (hash) => [c.apiId!, { principal: principalOf(c), hash }] as const
    ), { concurrency: maxRunning })
  const byApiId = new Map<string, BasicEntry>(entries)
  /** Checked for an unknown api_id: the same parameters, so the same cost, and no password matches it. */
  const unknownId = unmatchableSecretHash(params)

  const tokens = credentials.filter((c) => c.apiId === undefined)
  const plainTokens = tokens.flatMap((c) => (c.check._tag === "Plain" ? [{ principal: principalOf(c), digest: c.check.digest }] : []))
  const hashedTokens = tokens.flatMap((c) => (c.check._tag === "Hashed" ? [{ principal: principalOf(c), hash: c.check.hash }] : []))

  /** One scrypt check, against the id's hash or the unknown-id one: one path, one cost. */
  const basic = Effect.fnUntraced(function*(apiId: string, password: Redacted.Redacted<string>) {
    const entry = byApiId.get(apiId)
    const matched = yield* verifySecretHash(entry?.hash ?? unknownId, password)
    return matched && entry !== undefined ? entry.principal : undefined
  })

  /** Hashed tokens have no id to find them by: each is tried until one matches. */
  const hashedToken = Effect.fnUntraced(function*(token: Redacted.Redacted<string>) {
    for (const { hash, principal } of hashedTokens) {
      if (yield* verifySecretHash(hash, token)) return principal
    }
    return undefined
  })

  const plainToken = (digest: Buffer): Principal | undefined => {
    let found: Principal | undefined
    // Every plain token is compared (no early exit), as equal-length digests.
    for (const { digest: stored, principal } of plainTokens) {
      if (timingSafeEqual(stored, digest)) found = principal
    }
    return found
  }

  const inflight = new Map<string, Deferred.Deferred<Principal | undefined, Unauthenticated>>()

  /**
   * Runs one slow check through the gate and shares its outcome with requests
   * presenting the same credentials meanwhile; a success is cached. Admission
   * depends on the gate's load and the client's address, never on the id, so
   * a busy answer is no oracle.
   */
  const checkOnce = (cacheKey: string, slowCheck: Effect.Effect<Principal | undefined>) =>
    Effect.gen(function*() {
      const shared = Deferred.makeUnsafe<Principal | undefined, Unauthenticated>()
      inflight.set(cacheKey, shared)
      const source = yield* ClientAddress
      return yield* gate.run(slowCheck, source).pipe(
        Effect.catchTag("HashChecksBusy", () => Effect.fail(busy)),
        Effect.tap((principal) => (principal === undefined ? Effect.void : cache.set(cacheKey, principal))),
        Effect.onExit((exit) =>
          Effect.sync(() => {
            inflight.delete(cacheKey)
            // A check abandoned while waiting for its turn: the others were not checked either.
            Deferred.doneUnsafe(shared, Exit.hasInterrupts(exit) ? Effect.fail(busy) : exit)
          })
        )
      )
    })

  /** The slow path: no verified entry for `header` (the whole Authorization header, the cache key). */
  const check = Effect.fnUntraced(function*(presented: PresentedCredentials, header: string) {
    if (presented._tag === "Bearer" && verifyJwt !== undefined && looksLikeJwt(Redacted.value(presented.token))) {
      const fromJwt = yield* Effect.option(verifyJwt(Redacted.value(presented.token)))
      // Never cached: a JWT is checked for expiry on every use.
      if (Option.isSome(fromJwt)) return fromJwt.value
      // Not a JWT we accept: it may still be a static token of the file that happens to be shaped like one.
      if (tokens.length === 0) return yield* denied
    }
    if (presented._tag === "Bearer") {
      const plain = plainToken(sha256(presented.token))
      if (plain !== undefined) {
        yield* cache.set(header, plain)
        return plain
      }
      if (hashedTokens.length === 0) return yield* denied
    } else if (byApiId.size === 0) {
      // No Basic credentials at all (tokens or JWTs only): no id's existence to hide, nothing to check.
      return yield* denied
    }
    // The same credentials already being checked (a client opening several connections at once):
    // wait for that check instead of queuing another. Keyed like the cache, so no oracle either.
    const pending = inflight.get(header)
    const principal = pending !== undefined
      ? yield* Deferred.await(pending)
      : yield* checkOnce(
        header,
        presented._tag === "Basic" ? basic(presented.apiId, presented.password) : hashedToken(presented.token)
      )
    if (principal === undefined) return yield* denied
    return principal
  })

  const slowPath = (header: string) => {
    const presented = parseAuthorization(header)
    return Option.isNone(presented) ? Effect.fail(denied) : check(presented.value, header)
  }

  return Authenticator.of({
    // The cache is keyed by the header as presented (scheme, api_id and secret): a client repeating
    // verified credentials costs one map lookup, with no parsing and no hashing.
    authenticate: (authorization) =>
      authorization === undefined || authorization.length > maxAuthorizationLength
        ? Effect.fail(denied)
        : Effect.flatMap(cache.get(authorization), (cached) => cached !== undefined ? Effect.succeed(cached) : slowPath(authorization))
  })
})

/**
 * The authenticator of a credentials file (`authFile`, SPEC §5) and, when `jwt` is given, of
 * signed JWT bearer tokens; the app reads MEDIA_AUTH_FILE and MEDIA_JWT_*. With a JWT key the file
 * is optional; without one it is required (CredentialsFileError naming MEDIA_AUTH_FILE).
 */
export const layer = (options: { readonly authFile: string | undefined; readonly jwt: JwtOptions | undefined }) =>
  Layer.effect(
    Authenticator,
    Effect.gen(function*() {
      const { authFile, jwt } = options
      if (authFile !== undefined) return yield* fromCredentialsFile(authFile, { jwt })
      if (jwt !== undefined) return yield* make({ credentials: [] }, { jwt })
      return yield* new CredentialsFileError({ message: "MEDIA_AUTH_FILE (a credentials file) or a JWT key (MEDIA_JWT_*) is required" })
    })
  )
