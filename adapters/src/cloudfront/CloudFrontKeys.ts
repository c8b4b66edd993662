/**
 * Key pairs for the embedded mode, which signs and verifies its own
 * CloudFront-format URLs.
 */
import { createHash, generateKeyPair as generateRsaKeyPair } from "node:crypto"
import { Effect } from "effect"

export interface CloudFrontKeyPair {
  readonly keyPairId: string
  readonly privateKeyPem: string
  readonly publicKeyPem: string
}

/** The id is derived from the public key (like CloudFront's `K…` ids), so a key and its id cannot drift apart. */
export const keyPairIdOf = (publicKeyPem: string): string =>
  "K" + createHash("sha256").update(publicKeyPem.trim()).digest("hex").slice(0, 13).toUpperCase()

/** A fresh RSA 2048 key pair, PEM encoded (SPKI / PKCS#8). A failure here is a broken runtime: a defect. */
export const generateKeyPair = (): Effect.Effect<CloudFrontKeyPair> =>
  Effect.callback<CloudFrontKeyPair>((resume) => {
    generateRsaKeyPair("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs8", format: "pem" }
    }, (error, publicKeyPem, privateKeyPem) => {
      if (error !== null) resume(Effect.die(error))
      else resume(Effect.succeed({ keyPairId: keyPairIdOf(publicKeyPem), privateKeyPem, publicKeyPem }))
    })
  }).pipe(Effect.withSpan("CloudFrontKeys.generateKeyPair"))
