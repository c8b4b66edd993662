/**
 * UrlSigner as CloudFront signed URLs with a canned policy (aws mode; the
 * embedded mode signs the same way and verifies with CloudFrontUrlVerifier).
 *
 * The URL is the one `@aws-sdk/cloudfront-signer`'s `getSignedUrl` makes, byte
 * for byte (the tests hold it to that), but the RSA signature is made with
 * Node's asynchronous `crypto.sign`, on libuv's thread pool: at about a
 * millisecond each, a search page of 100 ready files (200 URLs) would
 * otherwise hold the event loop, and every other request, for ~140 ms.
 */
import { createPrivateKey, type KeyObject, sign } from "node:crypto"
import { readFile } from "node:fs/promises"
import { Config, Effect, Layer, Option, Redacted } from "effect"
import { SigningError, UrlSigner } from "@media-object-storage/core/ports/UrlSigner"
import { cannedPolicy } from "./CannedPolicy.ts"
import { encodeKey, normalizeBaseUrl } from "./CdnPath.ts"
import { CloudFrontConfigError } from "./CloudFrontErrors.ts"
import { encodeCloudFrontBase64 } from "./SignedUrlParams.ts"

export interface CloudFrontSignerOptions {
  /** The CDN origin and optional path prefix, e.g. `https://d111111abcdef8.cloudfront.net`. */
  readonly baseUrl: string
  readonly keyPairId: string
  /** PEM (PKCS#1 or PKCS#8) RSA private key of the key pair. */
  readonly privateKey: Redacted.Redacted<string>
}

const cacheSize = 10_000

/** RSA-SHA1 (PKCS#1 v1.5, what CloudFront's canned policies use) off the event loop. */
const signPolicy = (policy: string, key: KeyObject) =>
  Effect.callback<string, SigningError>((resume) => {
    sign("sha1", Buffer.from(policy, "utf8"), key, (error, signature) => {
      resume(error === null ? Effect.succeed(encodeCloudFrontBase64(signature)) : Effect.fail(new SigningError({ cause: error })))
    })
  })

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
  // An RSA signature costs about a millisecond; the core asks for the same (key, expiry) again and again
  // within its expiry granularity, so recent URLs are remembered (insertion order evicts the oldest).
  const recent = new Map<string, string>()
  const remember = (id: string, url: string) => {
    if (recent.size >= cacheSize) recent.delete(recent.keys().next().value!)
    recent.set(id, url)
    return url
  }
  return UrlSigner.of({
    sign: Effect.fnUntraced(function*(key: string, expiresAt: number) {
      const id = `${expiresAt}\n${key}`
      const cached = recent.get(id)
      if (cached !== undefined) return cached
      const path = encodeKey(key)
      if (Option.isNone(path) || !Number.isSafeInteger(expiresAt) || expiresAt <= 0) {
        return yield* new SigningError({ cause: new Error("key or expiry cannot be signed") })
      }
      const resource = `${baseUrl}/${path.value}`
      const signature = yield* signPolicy(cannedPolicy(resource, expiresAt), privateKey)
      return remember(id, `${resource}?Expires=${expiresAt}&Key-Pair-Id=${options.keyPairId}&Signature=${signature}`)
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
