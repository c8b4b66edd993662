/**
 * Verifies CloudFront-format signed URLs, for the embedded server's download
 * route: the same check CloudFront makes at the edge in the aws mode.
 */
import { createPublicKey, type KeyObject, verify as verifySignature } from "node:crypto"
import { Context, Effect, Layer, Option } from "effect"
import { cannedPolicy } from "./CannedPolicy.ts"
import { decodeKey, normalizeBaseUrl } from "./CdnPath.ts"
import { CloudFrontConfigError, InvalidSignedUrl, type InvalidSignedUrlReason } from "./CloudFrontErrors.ts"
import { parseCustomPolicy, resourceMatches } from "./CustomPolicy.ts"
import { decodeCloudFrontBase64, splitSignedUrl } from "./SignedUrlParams.ts"

export class CloudFrontUrlVerifier extends Context.Service<CloudFrontUrlVerifier, {
  /**
   * The object key a signed URL grants at `now` (UNIX seconds), and the first second it no longer does
   * (`Expires`, or the custom policy's `DateLessThan`): caches must not keep the object past it.
   */
  verify(url: URL | string, now: number): Effect.Effect<{ readonly key: string; readonly expiresAt: number }, InvalidSignedUrl>
}>()("adapters/CloudFrontUrlVerifier") {}

export interface VerifierOptions {
  /** Key pair id -> PEM public key (SPKI or PKCS#1). */
  readonly keyPairs: ReadonlyMap<string, string>
  /** When given, URLs must live under it and keys are the path below it; otherwise the key is the whole path. */
  readonly baseUrl?: string
}

const invalid = (reason: InvalidSignedUrlReason, message: string) => Effect.fail(new InvalidSignedUrl({ reason, message }))

/** What `Expires` must look like: CloudFront's policy JSON carries it as a plain integer, so no leading zeros or signs. */
const epochSeconds = /^[1-9][0-9]{0,14}$/

export const makeVerifier = Effect.fn("CloudFrontUrlVerifier.make")(function*(options: VerifierOptions) {
  const keys = new Map<string, KeyObject>()
  for (const [id, pem] of options.keyPairs) {
    const key = yield* Effect.try({
      try: () => createPublicKey(pem),
      catch: (cause) => new CloudFrontConfigError({ message: `public key of key pair ${id} is not a valid PEM`, cause })
    })
    keys.set(id, key)
  }
  const base = options.baseUrl === undefined ? Option.none<string>() : normalizeBaseUrl(options.baseUrl)
  if (options.baseUrl !== undefined && Option.isNone(base)) {
    return yield* new CloudFrontConfigError({ message: "download base URL must be an http(s) URL without query" })
  }
  const prefix = Option.match(base, { onNone: () => "", onSome: (b) => new URL(b).pathname.replace(/\/$/, "") })
  const origin = Option.map(base, (b) => new URL(b).origin)

  return CloudFrontUrlVerifier.of({
    verify: Effect.fnUntraced(function*(input: URL | string, now: number) {
      const split = splitSignedUrl(input)
      if (typeof split === "string") return yield* invalid("malformed", split)
      const { "Key-Pair-Id": keyPairId, Signature: signature, Expires: expires, Policy: policy } = split.params
      if (keyPairId === undefined || signature === undefined) return yield* invalid("malformed", "missing Key-Pair-Id or Signature")
      if ((expires === undefined) === (policy === undefined)) return yield* invalid("malformed", "needs exactly one of Expires and Policy")
      const hashAlgorithm = split.params["Hash-Algorithm"]
      if (hashAlgorithm !== undefined && hashAlgorithm !== "SHA256") return yield* invalid("malformed", "unsupported Hash-Algorithm")
      const publicKey = keys.get(keyPairId)
      if (publicKey === undefined) return yield* invalid("unknown_key_pair", "unknown Key-Pair-Id")
      const signatureBytes = decodeCloudFrontBase64(signature)
      if (Option.isNone(signatureBytes)) return yield* invalid("malformed", "Signature is not CloudFront base64")

      let policyJson: string
      if (expires !== undefined) {
        if (!epochSeconds.test(expires)) return yield* invalid("malformed", "Expires is not UNIX seconds")
        policyJson = cannedPolicy(split.resource, expires)
      } else if (policy !== undefined) {
        const policyBytes = decodeCloudFrontBase64(policy)
        if (Option.isNone(policyBytes)) return yield* invalid("malformed", "Policy is not CloudFront base64")
        policyJson = policyBytes.value.toString("utf8")
      } else {
        return yield* invalid("malformed", "needs exactly one of Expires and Policy")
      }
      const algorithm = hashAlgorithm === "SHA256" ? "RSA-SHA256" : "RSA-SHA1"
      const authentic = yield* Effect.try({
        try: () => verifySignature(algorithm, Buffer.from(policyJson, "utf8"), publicKey, signatureBytes.value),
        catch: () => "unverifiable"
      }).pipe(
        // A key of another type or a truncated signature: not authentic either way.
        Effect.orElseSucceed(() => false)
      )
      if (!authentic) return yield* invalid("bad_signature", "signature does not match")

      let notAfter: number
      if (expires !== undefined) {
        notAfter = Number(expires)
      } else {
        const custom = parseCustomPolicy(policyJson)
        if (custom === undefined) return yield* invalid("malformed", "unsupported custom policy (one statement, date conditions only)")
        if (!resourceMatches(custom.resource, split.resource)) return yield* invalid("bad_signature", "policy does not cover this URL")
        if (custom.dateGreaterThan !== undefined && now < custom.dateGreaterThan) return yield* invalid("expired", "not valid yet")
        notAfter = custom.dateLessThan
      }
      if (!(now < notAfter)) return yield* invalid("expired", "URL expired")

      if (Option.isSome(origin) && split.url.origin !== origin.value) return yield* invalid("malformed", "URL is outside the download base")
      const path = split.url.pathname
      if (!path.startsWith(`${prefix}/`)) return yield* invalid("malformed", "URL is outside the download base")
      const key = decodeKey(path.slice(prefix.length + 1))
      if (Option.isNone(key)) return yield* invalid("malformed", "path is not an object key")
      return { key: key.value, expiresAt: notAfter }
    })
  })
})

export const layerVerifier = (options: VerifierOptions) => Layer.effect(CloudFrontUrlVerifier, makeVerifier(options))
