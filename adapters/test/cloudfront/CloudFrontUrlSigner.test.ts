import { assert, describe, it } from "@effect/vitest"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { getSignedUrl } from "@aws-sdk/cloudfront-signer"
import { createPublicKey, generateKeyPairSync, verify } from "node:crypto"
import { Effect, Option, Redacted } from "effect"
import * as fc from "fast-check"
import type { AccountId, FileId } from "@media-object-storage/core/Ids"
import { UrlSigner } from "@media-object-storage/core/ports/UrlSigner"
import { encodeKey } from "../../src/cloudfront/CdnPath.ts"
import { generateKeyPair } from "../../src/cloudfront/CloudFrontKeys.ts"
import { layer, make } from "../../src/cloudfront/CloudFrontUrlSigner.ts"
import { makeVerifier } from "../../src/cloudfront/CloudFrontUrlVerifier.ts"

const withKey = (keyPairId: string, privateKey: string) =>
  layer({ baseUrl: "https://cdn.example.com", keyPairId, privateKey: Redacted.make(privateKey) })

const tempPem = (pem: string) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const dir = mkdtempSync(join(tmpdir(), "cdn-key-"))
      writeFileSync(join(dir, "key.pem"), pem)
      return dir
    }),
    (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
  ).pipe(Effect.map((dir) => join(dir, "key.pem")))

describe("CloudFrontUrlSigner", () => {
  it.effect("signs with exactly the given expiry and the configured key pair", () =>
    Effect.gen(function*() {
      const keys = yield* generateKeyPair("rsa-2048")
      const signer = yield* make({ baseUrl: "https://cdn.example.com/", keyPairId: keys.keyPairId, privateKey: Redacted.make(keys.privateKeyPem) })
      const url = new URL(yield* signer.sign("images/a b.jpg", 1_700_000_123))
      assert.strictEqual(url.origin + url.pathname, "https://cdn.example.com/images/a%20b.jpg")
      assert.strictEqual(url.searchParams.get("Expires"), "1700000123")
      assert.strictEqual(url.searchParams.get("Key-Pair-Id"), keys.keyPairId)
      assert.match(url.searchParams.get("Signature") ?? "", /^[A-Za-z0-9~_-]{300,}$/)
    }))

  it.effect("makes exactly the URL @aws-sdk/cloudfront-signer makes, for any key, expiry and base path", () =>
    Effect.gen(function*() {
      const keys = yield* generateKeyPair("rsa-2048")
      const privateKey = Redacted.make(keys.privateKeyPem)
      const bases = ["https://d111111abcdef8.cloudfront.net", "https://cdn.example.com/media/v1/", "http://127.0.0.1:8080/cdn"]
      const signers = yield* Effect.forEach(bases, (baseUrl) => make({ baseUrl, keyPairId: keys.keyPairId, privateKey }))
      const segment = fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }).filter((s) => !s.includes("/"))
      const cases = fc.sample(fc.tuple(
        fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join("/")),
        fc.integer({ min: 1, max: 4_102_444_800 }),
        fc.nat(bases.length - 1)
      ), { numRuns: 150, seed: 42 })
      cases.push(["images/10020/0b7f/1.jpg", 1_700_000_460, 0], ["a b/+%/!'()*~.jpg", 1_700_000_000, 1])
      let compared = 0
      for (const [key, expiresAt, b] of cases) {
        const path = encodeKey(key)
        if (Option.isNone(path)) continue
        const ours = yield* signers[b]!.sign(key, expiresAt)
        const base = bases[b]!.replace(/\/+$/, "")
        const sdk = getSignedUrl({ url: `${base}/${path.value}`, keyPairId: keys.keyPairId, privateKey: keys.privateKeyPem, dateLessThan: expiresAt * 1000 })
        assert.strictEqual(ours, sdk, JSON.stringify(key))
        compared++
      }
      assert.isAtLeast(compared, 100)
    }))

  it.effect("signs a file's image and thumbnail with one custom policy, exactly as getSignedUrl does with that policy", () =>
    Effect.gen(function*() {
      const keys = yield* generateKeyPair("rsa-2048")
      const privateKey = Redacted.make(keys.privateKeyPem)
      const bases = ["https://d111111abcdef8.cloudfront.net", "https://cdn.example.com/media/v1/", "http://127.0.0.1:8080/cdn"]
      const signers = yield* Effect.forEach(bases, (baseUrl) => make({ baseUrl, keyPairId: keys.keyPairId, privateKey }))
      const cases = fc.sample(fc.tuple(
        fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/).filter((a) => a !== "." && a !== ".."),
        fc.uuid({ version: 4 }),
        fc.integer({ min: 1, max: 999_999_999 }),
        fc.integer({ min: 1, max: 4_102_444_800 }),
        fc.nat(bases.length - 1)
      ), { numRuns: 60, seed: 7 })
      for (const [account, fileId, attempt, expiresAt, b] of cases) {
        const urls = yield* signers[b]!.signDerivatives({ accountId: account as AccountId, fileId: fileId as FileId, attempt }, expiresAt)
        const base = bases[b]!.replace(/\/+$/, "")
        // Built here independently of the adapter: the policy CloudFront will decode.
        const policy = JSON.stringify({
          Statement: [{ Resource: `${base}/*/${account}/${fileId}/${attempt}.jpg`, Condition: { DateLessThan: { "AWS:EpochTime": expiresAt } } }]
        })
        const sdk = (kind: string) =>
          getSignedUrl({ url: `${base}/${kind}/${account}/${fileId}/${attempt}.jpg`, keyPairId: keys.keyPairId, privateKey: keys.privateKeyPem, policy })
        assert.strictEqual(urls.image, sdk("images"))
        assert.strictEqual(urls.thumbnail, sdk("thumbnails"))
        // One signature, one policy, for both.
        assert.strictEqual(urls.image.slice(urls.image.indexOf("?")), urls.thumbnail.slice(urls.thumbnail.indexOf("?")))
      }
      // Accounts that make a dot segment cannot be carried by a URL, and attempts are 1-9 digits.
      const signer = signers[0]!
      for (const [accountId, attempt] of [[".", 1], ["..", 1], ["a", 0], ["a", 1.5], ["a", 1_000_000_000]] as const) {
        const error = yield* Effect.flip(signer.signDerivatives({ accountId: accountId as AccountId, fileId: "f" as FileId, attempt }, 1_700_000_000))
        assert.strictEqual(error._tag, "SigningError", `${accountId} ${attempt}`)
      }
    }))

  it.effect("signs with an ECDSA P-256 key too: the SDK's and our URLs verify, theirs with our verifier", () =>
    Effect.gen(function*() {
      const pair = generateKeyPairSync("ec", { namedCurve: "P-256" })
      const privatePem = pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString()
      const publicPem = pair.publicKey.export({ type: "spki", format: "pem" }).toString()
      const base = "https://cdn.example.com"
      const signer = yield* make({ baseUrl: base, keyPairId: "KEC", privateKey: Redacted.make(privatePem) })
      const verifier = yield* makeVerifier({ keyPairs: new Map([["KEC", publicPem]]), baseUrl: base })
      const derivatives = { accountId: "10020" as AccountId, fileId: "0b7f0b7f-0b7f-4b7f-8b7f-0b7f0b7f0b7f" as FileId, attempt: 2 }
      const urls = yield* signer.signDerivatives(derivatives, 1_900_000_000)
      const policy = new URL(urls.image).searchParams.get("Policy")!
      const signature = new URL(urls.image).searchParams.get("Signature")!
      const decode = (v: string) => Buffer.from(v.replace(/-/g, "+").replace(/_/g, "=").replace(/~/g, "/"), "base64")
      // A DER ECDSA signature over the policy bytes, SHA-1, which is what CloudFront checks.
      assert.isTrue(verify("sha1", decode(policy), createPublicKey(publicPem), decode(signature)))
      assert.deepStrictEqual(yield* verifier.verify(urls.thumbnail, 1), { key: "thumbnails/10020/0b7f0b7f-0b7f-4b7f-8b7f-0b7f0b7f0b7f/2.jpg", expiresAt: 1_900_000_000 })
      const sdk = getSignedUrl({ url: `${base}/k.jpg`, keyPairId: "KEC", privateKey: privatePem, dateLessThan: 1_900_000_000_000 })
      assert.deepStrictEqual(yield* verifier.verify(sdk, 1), { key: "k.jpg", expiresAt: 1_900_000_000 })
      const other = generateKeyPairSync("ec", { namedCurve: "secp384r1" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString()
      const refused = yield* Effect.flip(make({ baseUrl: base, keyPairId: "KEC", privateKey: Redacted.make(other) }))
      assert.strictEqual(refused._tag, "CloudFrontConfigError")
    }))

  it.effect("refuses keys a URL cannot carry exactly", () =>
    Effect.gen(function*() {
      const keys = yield* generateKeyPair()
      const signer = yield* make({ baseUrl: "https://cdn.example.com", keyPairId: keys.keyPairId, privateKey: Redacted.make(keys.privateKeyPem) })
      for (const key of ["", "a/../b", "./a", "a/.", "bad\uD800surrogate"]) {
        const error = yield* Effect.flip(signer.sign(key, 1_700_000_000))
        assert.strictEqual(error._tag, "SigningError")
      }
      assert.strictEqual((yield* Effect.flip(signer.sign("k", 1.5)))._tag, "SigningError")
    }))

  it.effect("fails at construction on a bad base URL, key pair id or private key", () =>
    Effect.gen(function*() {
      const keys = yield* generateKeyPair()
      const privateKey = Redacted.make(keys.privateKeyPem)
      for (const baseUrl of ["cdn.example.com", "ftp://cdn.example.com", "https://cdn.example.com/?a=1", "https://cdn.example.com/a*b"]) {
        assert.strictEqual((yield* Effect.flip(make({ baseUrl, keyPairId: "K1", privateKey })))._tag, "CloudFrontConfigError")
      }
      assert.strictEqual((yield* Effect.flip(make({ baseUrl: "https://c", keyPairId: "K 1", privateKey })))._tag, "CloudFrontConfigError")
      const bad = yield* Effect.flip(make({ baseUrl: "https://c", keyPairId: "K1", privateKey: Redacted.make("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----") }))
      assert.strictEqual(bad._tag, "CloudFrontConfigError")
      assert.notInclude(bad.message, "nope")
    }))

  it.effect("layer takes the key as a PEM or as a path to one", () =>
    Effect.gen(function*() {
      const keys = yield* generateKeyPair()
      const verifier = yield* makeVerifier({ keyPairs: new Map([[keys.keyPairId, keys.publicKeyPem]]) })
      const path = yield* tempPem(keys.privateKeyPem)
      for (const privateKey of [keys.privateKeyPem, path]) {
        const url = yield* UrlSigner.use((s) => s.sign("k.jpg", 1_700_000_000)).pipe(
          Effect.provide(withKey(keys.keyPairId, privateKey))
        )
        assert.deepStrictEqual(yield* verifier.verify(url, 1), { key: "k.jpg", expiresAt: 1_700_000_000 })
      }
      const missing = yield* UrlSigner.use((s) => s.sign("k", 1)).pipe(
        Effect.provide(withKey(keys.keyPairId, "/nonexistent/key.pem")),
        Effect.flip
      )
      assert.strictEqual(missing._tag, "CloudFrontConfigError")
    }))
})
