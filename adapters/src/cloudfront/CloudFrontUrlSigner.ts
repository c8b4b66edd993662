/**
 * UrlSigner as CloudFront signed URLs with a canned policy (aws mode; the
 * embedded mode signs the same way and verifies with CloudFrontUrlVerifier).
 */
import { getSignedUrl } from "@aws-sdk/cloudfront-signer"
import { createPrivateKey } from "node:crypto"
import { readFile } from "node:fs/promises"
import { Config, Effect, Layer, Option, Redacted } from "effect"
import { SigningError, UrlSigner } from "@media/core/ports/UrlSigner"
import { encodeKey, normalizeBaseUrl } from "./CdnPath.ts"
import { CloudFrontConfigError } from "./CloudFrontErrors.ts"

export interface CloudFrontSignerOptions {
  /** The CDN origin and optional path prefix, e.g. `https://d111111abcdef8.cloudfront.net`. */
  readonly baseUrl: string
  readonly keyPairId: string
  /** PEM (PKCS#1 or PKCS#8) RSA private key of the key pair. */
  readonly privateKey: Redacted.Redacted<string>
}

const cacheSize = 10_000

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
      return remember(id, yield* Effect.try({
        try: () =>
          getSignedUrl({
            url: `${baseUrl}/${path.value}`,
            keyPairId: options.keyPairId,
            // The SDK types say string | Buffer but hand the value to crypto's Sign#sign, which takes a KeyObject.
            privateKey: privateKey as unknown as string,
            // The SDK reads numbers as milliseconds and rounds to seconds, so this is exactly `expiresAt`.
            dateLessThan: expiresAt * 1000
          }),
        catch: (cause) => new SigningError({ cause })
      }))
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

/** Reads MEDIA_CDN_URL, MEDIA_CDN_KEY_PAIR_ID and MEDIA_CDN_PRIVATE_KEY (a PEM or a path to one). */
export const layer = Layer.effect(
  UrlSigner,
  Effect.gen(function*() {
    const baseUrl = yield* Config.String("MEDIA_CDN_URL")
    const keyPairId = yield* Config.String("MEDIA_CDN_KEY_PAIR_ID")
    const privateKey = yield* loadPem(yield* Config.Redacted("MEDIA_CDN_PRIVATE_KEY"))
    return yield* make({ baseUrl, keyPairId, privateKey })
  })
)
