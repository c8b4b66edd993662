/**
 * Salted, slow hashes of passwords and tokens for the credentials file:
 * `scrypt$N$r$p$<salt base64>$<hash base64>` (node:crypto scrypt).
 *
 * N=2^15, r=8, p=1 costs about 100 ms of one core and 32 MiB per check on the
 * reference machine, so the authenticator caches successful checks and bounds
 * how many run at once (see CredentialsAuthenticator and HashCheckGate).
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto"
import { Effect, Option, Redacted } from "effect"

export interface ScryptParams {
  readonly N: number
  readonly r: number
  readonly p: number
}

export interface SecretHash {
  readonly params: ScryptParams
  readonly salt: Buffer
  readonly hash: Buffer
}

export const defaultScryptParams: ScryptParams = { N: 2 ** 15, r: 8, p: 1 }

const saltBytes = 16
const hashBytes = 32
/** scrypt needs 128·N·r bytes; refuse hashes that would make one check cost more than this. */
const maxScryptMemory = 256 * 1024 * 1024

const isPowerOfTwo = (n: number) => Number.isSafeInteger(n) && n > 1 && (n & (n - 1)) === 0
const base64 = /^[A-Za-z0-9+/]+={0,2}$/

/** The parts of a hash string; none unless well formed and affordable to check. */
export const parseSecretHash = (encoded: string): Option.Option<SecretHash> => {
  const parts = encoded.split("$")
  if (parts.length !== 6 || parts[0] !== "scrypt") return Option.none()
  const [N, r, p] = parts.slice(1, 4).map((s) => (/^[1-9][0-9]{0,9}$/.test(s) ? Number(s) : NaN)) as [number, number, number]
  const [salt, hash] = parts.slice(4) as [string, string]
  if (!isPowerOfTwo(N) || N < 2 ** 10 || !(r >= 1 && r <= 32) || !(p >= 1 && p <= 16)) return Option.none()
  if (128 * N * r > maxScryptMemory || !base64.test(salt) || !base64.test(hash)) return Option.none()
  const saltBuffer = Buffer.from(salt, "base64")
  const hashBuffer = Buffer.from(hash, "base64")
  if (saltBuffer.length < 8 || hashBuffer.length < 16 || hashBuffer.length > 64) return Option.none()
  return Option.some({ params: { N, r, p }, salt: saltBuffer, hash: hashBuffer })
}

const derive = (secret: Redacted.Redacted<string>, salt: Buffer, length: number, params: ScryptParams) =>
  Effect.callback<Buffer>((resume) => {
    scrypt(Redacted.value(secret), salt, length, { ...params, maxmem: maxScryptMemory + 1024 * 1024 }, (error, key) => {
      // Parameters are validated before we get here, so a failure is a broken runtime.
      resume(error === null ? Effect.succeed(key) : Effect.die(error))
    })
  })

export const formatSecretHash = ({ params, salt, hash }: SecretHash): string =>
  `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString("base64")}$${hash.toString("base64")}`

/** Whether two parameter sets cost the same check. */
export const sameScryptParams = (a: ScryptParams, b: ScryptParams): boolean => a.N === b.N && a.r === b.r && a.p === b.p

/**
 * A new salted hash of `secret` (16-byte salt, 32-byte hash). The salt comes
 * from the OS CSPRNG: Effect's Random is not for secrets. Costs one scrypt.
 */
export const makeSecretHash = Effect.fnUntraced(function*(
  secret: Redacted.Redacted<string>,
  params: ScryptParams = defaultScryptParams
) {
  const salt = randomBytes(saltBytes)
  const hash = yield* derive(secret, salt, hashBytes, params)
  return { params, salt, hash } satisfies SecretHash
})

/** A hash that no secret is known to match, with the given parameters: checking against it costs what a real one costs. */
export const unmatchableSecretHash = (params: ScryptParams): SecretHash => ({
  params,
  salt: randomBytes(saltBytes),
  hash: randomBytes(hashBytes)
})

/** A new hash string of `secret` (see `makeSecretHash`). */
export const hashSecret = Effect.fn("SecretHash.hash")(function*(
  secret: Redacted.Redacted<string>,
  params: ScryptParams = defaultScryptParams
) {
  return formatSecretHash(yield* makeSecretHash(secret, params))
})

/** Whether `secret` hashes to `stored`, compared in constant time. */
export const verifySecretHash = Effect.fnUntraced(function*(
  stored: SecretHash,
  secret: Redacted.Redacted<string>
) {
  const derived = yield* derive(secret, stored.salt, stored.hash.length, stored.params)
  return timingSafeEqual(derived, stored.hash)
})
