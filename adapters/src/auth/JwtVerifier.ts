/**
 * Signed JWT bearer tokens (SPEC §5's production option): verified against a
 * JWKS URL or one PEM public key; `account_id` and `scope` claims make the principal.
 */
import { createPublicKey } from "node:crypto"
import { createRemoteJWKSet, importSPKI, type JWTPayload, jwtVerify } from "jose"
import { Clock, Effect, Schema } from "effect"
import { isAccountId } from "@media-object-storage/core/Ids"
import { type Permission, permissions as knownPermissions, type Principal, Unauthenticated } from "@media-object-storage/core/ports/Authenticator"

export interface JwtOptions {
  /** Keys from a JWKS document (fetched and cached by jose). Exactly one of `jwksUrl` and `publicKeyPem`. */
  readonly jwksUrl?: string | undefined
  /** One SPKI PEM public key; its algorithm follows from the key type (RSA: RS256, EC: ES256/384/512, Ed25519: EdDSA) unless `algorithm` says otherwise. */
  readonly publicKeyPem?: string | undefined
  readonly algorithm?: string | undefined
  readonly issuer?: string | undefined
  readonly audience?: string | undefined
  /** Allowed clock skew for `exp` / `nbf`; default 30 seconds. */
  readonly clockToleranceSeconds?: number | undefined
}

export class JwtConfigError extends Schema.TaggedError<JwtConfigError>()("JwtConfigError", {
  message: Schema.String,
  cause: Schema.optionalKey(Schema.Defect())
}) {}

/** Asymmetric algorithms only: a symmetric `alg` in a token must never be checked against a public key. */
const asymmetricAlgorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"]

const algorithmOf = (pem: string): string | undefined => {
  const key = createPublicKey(pem)
  switch (key.asymmetricKeyType) {
    case "rsa": return "RS256"
    case "ed25519": return "EdDSA"
    case "ec": {
      const curve = key.asymmetricKeyDetails?.namedCurve
      return curve === "prime256v1" ? "ES256" : curve === "secp384r1" ? "ES384" : curve === "secp521r1" ? "ES512" : undefined
    }
    default: return undefined
  }
}

const denied = new Unauthenticated({ message: "missing or invalid credentials" })

const principalOf = (payload: JWTPayload): Principal | undefined => {
  const accountId = payload["account_id"]
  const scope = payload["scope"] ?? ""
  if (!isAccountId(accountId) || typeof scope !== "string") return undefined
  const granted = scope.split(" ").filter((s): s is Permission => (knownPermissions as ReadonlyArray<string>).includes(s))
  return { accountId, permissions: new Set(granted) }
}

const importPem = Effect.fn(function*(pem: string, configured: string | undefined) {
  const algorithm = configured ?? (yield* Effect.try({
    try: () => algorithmOf(pem),
    catch: (cause) => new JwtConfigError({ message: "JWT public key is not a PEM public key", cause })
  }))
  if (algorithm === undefined) return yield* new JwtConfigError({ message: "JWT public key type is not supported" })
  return yield* Effect.tryPromise({
    try: () => importSPKI(pem, algorithm),
    catch: (cause) => new JwtConfigError({ message: "JWT public key cannot be imported", cause })
  })
})

export type VerifyJwt = (token: string) => Effect.Effect<Principal, Unauthenticated>

export const makeJwtVerifier = Effect.fn("JwtVerifier.make")(function*(options: JwtOptions) {
  const { jwksUrl, publicKeyPem: pem } = options
  if ((jwksUrl === undefined) === (pem === undefined)) {
    return yield* new JwtConfigError({ message: "configure exactly one of a JWKS URL and a PEM public key" })
  }
  const key = jwksUrl !== undefined
    ? yield* Effect.try({
      try: () => createRemoteJWKSet(new URL(jwksUrl)),
      catch: (cause) => new JwtConfigError({ message: "JWKS URL is not a URL", cause })
    })
    : yield* importPem(pem as string, options.algorithm)
  const verifyOptions = {
    algorithms: asymmetricAlgorithms,
    requiredClaims: ["exp"],
    clockTolerance: options.clockToleranceSeconds ?? 30,
    ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
    ...(options.audience === undefined ? {} : { audience: options.audience })
  }
  const verify: VerifyJwt = Effect.fnUntraced(function*(token: string) {
    const now = yield* Clock.currentTimeMillis
    const { payload } = yield* Effect.tryPromise({
      try: () => jwtVerify(token, key as Parameters<typeof jwtVerify>[1], { ...verifyOptions, currentDate: new Date(now) }),
      // jose's codes (ERR_JWT_EXPIRED, ERR_JWKS_TIMEOUT…) help operators; the token itself is never logged.
      catch: (cause) => (cause as { code?: unknown }).code
    }).pipe(Effect.tapError((code) => Effect.logDebug("JWT rejected", { code: String(code) })), Effect.mapError(() => denied))
    const principal = principalOf(payload)
    if (principal === undefined) return yield* denied
    return principal
  })
  return verify
})
