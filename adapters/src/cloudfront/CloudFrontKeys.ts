/**
 * Key pairs for the embedded mode, which signs and verifies its own
 * CloudFront-format URLs.
 */
import { createHash, generateKeyPair as generateNodeKeyPair } from "node:crypto"
import { Effect } from "effect"

export interface CloudFrontKeyPair {
  readonly keyPairId: string
  readonly privateKeyPem: string
  readonly publicKeyPem: string
}

/** The id is derived from the public key (like CloudFront's `K…` ids), so a key and its id cannot drift apart. */
export const keyPairIdOf = (publicKeyPem: string): string =>
  "K" + createHash("sha256").update(publicKeyPem.trim()).digest("hex").slice(0, 13).toUpperCase()

/** The two kinds of key CloudFront verifies signed URLs with. */
export type CloudFrontKeyType = "ecdsa-p256" | "rsa-2048"

/**
 * A fresh key pair, PEM encoded (SPKI / PKCS#8): ECDSA P-256 by default (a signature costs ~35 µs of
 * CPU against ~400–1,000 µs for RSA-2048, and makes shorter URLs), or RSA-2048 (deterministic
 * signatures, which the tests compare with the SDK's byte for byte). A failure here is a broken runtime: a defect.
 */
export const generateKeyPair = (type: CloudFrontKeyType = "ecdsa-p256"): Effect.Effect<CloudFrontKeyPair> =>
  Effect.callback<CloudFrontKeyPair>((resume) => {
    const done = (error: Error | null, publicKeyPem: string, privateKeyPem: string) => {
      if (error !== null) resume(Effect.die(error))
      else resume(Effect.succeed({ keyPairId: keyPairIdOf(publicKeyPem), privateKeyPem, publicKeyPem }))
    }
    const encoding = {
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs8", format: "pem" }
    } as const
    if (type === "rsa-2048") generateNodeKeyPair("rsa", { modulusLength: 2048, ...encoding }, done)
    else generateNodeKeyPair("ec", { namedCurve: "P-256", ...encoding }, done)
  }).pipe(Effect.withSpan("CloudFrontKeys.generateKeyPair"))
