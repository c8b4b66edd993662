/**
 * UrlSigner as CloudFront signed URLs (aws mode; the embedded mode signs the
 * same way and verifies with CloudFrontUrlVerifier): a canned policy for one
 * key (`sign`), and one custom policy for a file's image and thumbnail
 * (`signDerivatives`: one signature for both URLs, see DerivativesResource).
 *
 * The URLs are the ones `@aws-sdk/cloudfront-signer`'s `getSignedUrl` makes,
 * byte for byte (the tests hold them to that), but the signature is made with
 * Node's asynchronous `crypto.sign`, on libuv's thread pool: an RSA-2048
 * signature costs most of a millisecond, and a search page of 100 ready files
 * would otherwise hold the event loop, and every other request, for ~100 ms.
 * RSA-2048 and ECDSA P-256 keys are accepted (CloudFront takes both).
 */
import { createPrivateKey, type KeyObject, sign } from "node:crypto"
import { readFile } from "node:fs/promises"
import { Config, Effect, Layer, Option, Redacted } from "effect"
import { type Derivatives, type DerivativeUrls, SigningError, UrlSigner } from "@media-object-storage/core/ports/UrlSigner"
import { cannedPolicy } from "./CannedPolicy.ts"
import { encodeKey, normalizeBaseUrl } from "./CdnPath.ts"
import { CloudFrontConfigError } from "./CloudFrontErrors.ts"
import { customPolicy } from "./CustomPolicy.ts"
import { derivativesResource } from "./DerivativesResource.ts"
import { encodeCloudFrontBase64 } from "./SignedUrlParams.ts"

export interface CloudFrontSignerOptions {
  /** The CDN origin and optional path prefix, e.g. `https://d111111abcdef8.cloudfront.net`. */
  readonly baseUrl: string
  readonly keyPairId: string
  /** PEM (PKCS#1, SEC1 or PKCS#8) private key of the key pair: RSA, or ECDSA on P-256. */
  readonly privateKey: Redacted.Redacted<string>
}

const cacheSize = 10_000

/** SHA-1 with the key's algorithm (RSA PKCS#1 v1.5, or DER-encoded ECDSA), CloudFront's default, off the event loop. */
const signOnPool = (policy: Buffer, key: KeyObject) =>
  Effect.callback<string, SigningError>((resume) => {
    sign("sha1", policy, key, (error, signature) => {
      resume(error === null ? Effect.succeed(encodeCloudFrontBase64(signature)) : Effect.fail(new SigningError({ cause: error })))
    })
  })

/** The same on the calling thread. */
const signHere = (policy: Buffer, key: KeyObject) =>
  Effect.try({ try: () => encodeCloudFrontBase64(sign("sha1", policy, key)), catch: (cause) => new SigningError({ cause }) })

/**
 * How a key signs. An RSA-2048 signature takes most of a millisecond of CPU: on libuv's thread pool, so a
 * search page does not hold the event loop for ~100 ms. An ECDSA P-256 one takes ~35 µs, less than the
 * ~40–70 µs of CPU a hand-off to the pool and back costs when signatures come one after another (measured,
 * bench/http/sign-search.ts): on the event loop.
 */
const signerFor = (key: KeyObject) => key.asymmetricKeyType === "ec" ? signHere : signOnPool

/** CloudFront verifies RSA-2048 and ECDSA P-256 signatures (SHA-1 or SHA-256), nothing else. */
const isCloudFrontKey = (key: KeyObject): boolean =>
  key.asymmetricKeyType === "rsa" || (key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1")

export const make = Effect.fn("CloudFrontUrlSigner.make")(function*(options: CloudFrontSignerOptions) {
  const baseUrl = yield* Option.match(normalizeBaseUrl(options.baseUrl), {
    onNone: () => Effect.fail(new CloudFrontConfigError({ message: "CDN base URL must be an http(s) URL without query" })),
    onSome: Effect.succeed
  })
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(options.keyPairId)) {
    return yield* new CloudFrontConfigError({ message: "CDN key pair id must be 1-128 characters of [A-Za-z0-9_-]" })
  }
  // Parse once: a bad key is a startup error, not a failure on the first download, and signing
  // does not re-parse the PEM each time (that doubled the cost of a signature).
  const privateKey = yield* Effect.try({
    try: () => createPrivateKey(Redacted.value(options.privateKey)),
    catch: (cause) => new CloudFrontConfigError({ message: "CDN private key is not a valid PEM private key", cause })
  })
  if (!isCloudFrontKey(privateKey)) {
    return yield* new CloudFrontConfigError({ message: "CDN private key must be RSA or ECDSA on P-256" })
  }
  // In a Resource `*` and `?` are wildcards: a base URL holding one would widen every custom policy.
  if (/[*?]/.test(baseUrl)) return yield* new CloudFrontConfigError({ message: "CDN base URL must not contain * or ?" })
  // An RSA signature costs about a millisecond; the core asks for the same (key, expiry) again and again
  // within its expiry granularity, so recent URLs are remembered (insertion order evicts the oldest).
  const recent = new Map<string, string>()
  const recentPairs = new Map<string, DerivativeUrls>()
  const remember = <A>(cache: Map<string, A>, id: string, value: A) => {
    if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!)
    cache.set(id, value)
    return value
  }
  const validExpiry = (expiresAt: number) => Number.isSafeInteger(expiresAt) && expiresAt > 0
  const signPolicy = signerFor(privateKey)
  return UrlSigner.of({
    sign: Effect.fnUntraced(function*(key: string, expiresAt: number) {
      const id = `${expiresAt}\n${key}`
      const cached = recent.get(id)
      if (cached !== undefined) return cached
      const path = encodeKey(key)
      if (Option.isNone(path) || !validExpiry(expiresAt)) {
        return yield* new SigningError({ cause: new Error("key or expiry cannot be signed") })
      }
      const resource = `${baseUrl}/${path.value}`
      const signature = yield* signPolicy(Buffer.from(cannedPolicy(resource, expiresAt), "utf8"), privateKey)
      return remember(recent, id, `${resource}?Expires=${expiresAt}&Key-Pair-Id=${options.keyPairId}&Signature=${signature}`)
    }),
    signDerivatives: Effect.fnUntraced(function*(derivatives: Derivatives, expiresAt: number) {
      const id = `${expiresAt}\n${derivatives.accountId}\n${derivatives.fileId}\n${derivatives.attempt}`
      const cached = recentPairs.get(id)
      if (cached !== undefined) return cached
      const resource = derivativesResource(baseUrl, derivatives)
      if (Option.isNone(resource) || !validExpiry(expiresAt)) {
        return yield* new SigningError({ cause: new Error("derivatives or expiry cannot be signed") })
      }
      const policy = Buffer.from(customPolicy(resource.value.pattern, expiresAt), "utf8")
      const signature = yield* signPolicy(policy, privateKey)
      // What getSignedUrl appends for a custom policy, in its order; both URLs share it.
      const query = `?Policy=${encodeCloudFrontBase64(policy)}&Key-Pair-Id=${options.keyPairId}&Signature=${signature}`
      return remember(recentPairs, id, { image: resource.value.image + query, thumbnail: resource.value.thumbnail + query })
    })
  })
})

/** A PEM as is, anything else is a path to a PEM file. */
export const loadPem = (value: Redacted.Redacted<string>): Effect.Effect<Redacted.Redacted<string>, CloudFrontConfigError> => {
  const text = Redacted.value(value).trim()
  if (text.startsWith("-----BEGIN")) return Effect.succeed(Redacted.make(text))
  return Effect.tryPromise({
    try: () => readFile(text, "utf8"),
    catch: (cause) => new CloudFrontConfigError({ message: "cannot read the CDN private key file", cause })
  }).pipe(Effect.map((pem) => Redacted.make(pem)))
}

/**
 * The signer for a CloudFront distribution: `baseUrl` (MEDIA_CDN_URL), `keyPairId`
 * (MEDIA_CDN_KEY_PAIR_ID) and `privateKey`, a PEM or a path to one (MEDIA_CDN_PRIVATE_KEY); the
 * app reads the variables. Fails with CloudFrontConfigError when the key cannot be read.
 */
export const layer = (options: {
  readonly baseUrl: string
  readonly keyPairId: string
  readonly privateKey: Redacted.Redacted<string>
}) =>
  Layer.effect(
    UrlSigner,
    Effect.gen(function*() {
      const privateKey = yield* loadPem(options.privateKey)
      return yield* make({ baseUrl: options.baseUrl, keyPairId: options.keyPairId, privateKey })
    })
  )
