import { getSignedUrl } from "@aws-sdk/cloudfront-signer"
import { assert, describe, layer } from "@effect/vitest"
import { Context, Effect, Layer, Redacted } from "effect"
import { generateKeyPair, type CloudFrontKeyPair } from "../../src/cloudfront/CloudFrontKeys.ts"
import { make } from "../../src/cloudfront/CloudFrontUrlSigner.ts"
import { makeVerifier } from "../../src/cloudfront/CloudFrontUrlVerifier.ts"

class Keys extends Context.Service<Keys, { readonly a: CloudFrontKeyPair; readonly b: CloudFrontKeyPair }>()("test/Keys") {
  static readonly layer = Layer.effect(Keys, Effect.all({ a: generateKeyPair(), b: generateKeyPair("rsa-2048") }))
}

const base = "https://cdn.example.com"
const expiresAt = 1_900_000_000

const setup = Effect.gen(function*() {
  const { a, b } = yield* Keys
  const signer = yield* make({ baseUrl: base, keyPairId: a.keyPairId, privateKey: Redacted.make(a.privateKeyPem) })
  const verifier = yield* makeVerifier({ keyPairs: new Map([[a.keyPairId, a.publicKeyPem]]), baseUrl: base })
  const rejection = (url: string, now = expiresAt - 10) =>
    verifier.verify(url, now).pipe(Effect.flip, Effect.map((e) => e.reason))
  return { a, b, signer, verifier, rejection }
})

layer(Keys.layer)("CloudFrontUrlVerifier", (it) => {
  it.effect("accepts a URL the signer produced and returns its key", () =>
    Effect.gen(function*() {
      const { signer, verifier } = yield* setup
      const url = yield* signer.sign("images/10020/f/1.jpg", expiresAt)
      assert.isTrue(url.startsWith(`${base}/images/10020/f/1.jpg?Expires=${expiresAt}&`))
      assert.deepStrictEqual(yield* verifier.verify(url, expiresAt - 1), { key: "images/10020/f/1.jpg", expiresAt })
      assert.deepStrictEqual(yield* verifier.verify(new URL(url), 0 + 1), { key: "images/10020/f/1.jpg", expiresAt })
    }))

  it.effect("round-trips keys with spaces, unicode and URL syntax characters", () =>
    Effect.gen(function*() {
      const { signer, verifier } = yield* setup
      for (const key of ["a b/c  d.jpg", "ünï/日本語/😀.jpg", "x%20y/100%/a+b&c=d?e#f", "quote'\"<>`{}|\\^[]!*();:@$,~"]) {
        const url = yield* signer.sign(key, expiresAt)
        assert.deepStrictEqual(yield* verifier.verify(url, expiresAt - 1), { key, expiresAt })
      }
    }))

  it.effect("rejects a tampered path, query, signature or Expires", () =>
    Effect.gen(function*() {
      const { signer, rejection } = yield* setup
      const url = yield* signer.sign("images/a/1.jpg", expiresAt)
      assert.strictEqual(yield* rejection(url.replace("/1.jpg", "/2.jpg")), "bad_signature")
      assert.strictEqual(yield* rejection(url.replace("images/a/", "images/b/")), "bad_signature")
      assert.strictEqual(yield* rejection(url.replace("?", "?x=1&")), "bad_signature")
      assert.strictEqual(yield* rejection(`${url}&x=1`), "bad_signature")
      assert.strictEqual(yield* rejection(url.replace(`Expires=${expiresAt}`, `Expires=${expiresAt + 3600}`)), "bad_signature")
      const signature = /Signature=([^&]+)/.exec(url)![1]!
      const flipped = (signature[10] === "A" ? "B" : "A")
      assert.strictEqual(
        yield* rejection(url.replace(signature, signature.slice(0, 10) + flipped + signature.slice(11))),
        "bad_signature"
      )
      assert.strictEqual(yield* rejection(url.replace(signature, signature.slice(0, 40))), "bad_signature")
      assert.strictEqual(yield* rejection(url.replace(signature, "not!base64")), "malformed")
    }))

  it.effect("rejects duplicated, missing or conflicting signing parameters", () =>
    Effect.gen(function*() {
      const { signer, rejection } = yield* setup
      const url = yield* signer.sign("k.jpg", expiresAt)
      assert.strictEqual(yield* rejection(`${url}&Expires=${expiresAt}`), "malformed")
      assert.strictEqual(yield* rejection(`${url}&Signature=abc`), "malformed")
      assert.strictEqual(yield* rejection(url.replace(/&Signature=[^&]+/, "")), "malformed")
      assert.strictEqual(yield* rejection(url.replace(/&Key-Pair-Id=[^&]+/, "")), "malformed")
      assert.strictEqual(yield* rejection(url.replace(/Expires=\d+&/, "")), "malformed")
      assert.strictEqual(yield* rejection(`${url}&Policy=e30_`), "malformed")
      assert.strictEqual(yield* rejection(`${url}&Hash-Algorithm=MD5`), "malformed")
      assert.strictEqual(yield* rejection(url.replace(`Expires=${expiresAt}`, `Expires=0${expiresAt}`)), "malformed")
      assert.strictEqual(yield* rejection("not a url"), "malformed")
      assert.strictEqual(yield* rejection(`${url}&pad=${"x".repeat(20_000)}`), "malformed")
    }))

  it.effect("rejects a URL at and after its expiry", () =>
    Effect.gen(function*() {
      const { signer, verifier, rejection } = yield* setup
      const url = yield* signer.sign("k.jpg", expiresAt)
      assert.deepStrictEqual(yield* verifier.verify(url, expiresAt - 1), { key: "k.jpg", expiresAt })
      assert.strictEqual(yield* rejection(url, expiresAt), "expired")
      assert.strictEqual(yield* rejection(url, expiresAt + 86_400), "expired")
    }))

  it.effect("rejects an unknown key pair and another key's signature", () =>
    Effect.gen(function*() {
      const { a, b, rejection } = yield* setup
      const withB = yield* make({ baseUrl: base, keyPairId: b.keyPairId, privateKey: Redacted.make(b.privateKeyPem) })
      assert.strictEqual(yield* rejection(yield* withB.sign("k.jpg", expiresAt)), "unknown_key_pair")
      const forged = yield* make({ baseUrl: base, keyPairId: a.keyPairId, privateKey: Redacted.make(b.privateKeyPem) })
      assert.strictEqual(yield* rejection(yield* forged.sign("k.jpg", expiresAt)), "bad_signature")
    }))

  it.effect("rejects URLs outside the download base or whose path is not a key", () =>
    Effect.gen(function*() {
      const { a, signer, rejection } = yield* setup
      const url = yield* signer.sign("k.jpg", expiresAt)
      const verifier = yield* makeVerifier({ keyPairs: new Map([[a.keyPairId, a.publicKeyPem]]), baseUrl: `${base}/media` })
      const reason = yield* verifier.verify(url, expiresAt - 1).pipe(Effect.flip, Effect.map((e) => e.reason))
      assert.strictEqual(reason, "malformed")
      const other = yield* make({ baseUrl: "https://evil.example.com", keyPairId: a.keyPairId, privateKey: Redacted.make(a.privateKeyPem) })
      assert.strictEqual(yield* rejection(yield* other.sign("k.jpg", expiresAt)), "malformed")
      const encodedSlash = getSignedUrl({ url: `${base}/a%2Fb`, keyPairId: a.keyPairId, privateKey: a.privateKeyPem, dateLessThan: expiresAt * 1000 })
      assert.strictEqual(yield* rejection(encodedSlash), "malformed")
    }))

  it.effect("verifies under a path prefix and keeps other query parameters in the signed resource", () =>
    Effect.gen(function*() {
      const { a } = yield* setup
      const prefixed = `http://127.0.0.1:8080/files/`
      const signer = yield* make({ baseUrl: prefixed, keyPairId: a.keyPairId, privateKey: Redacted.make(a.privateKeyPem) })
      const verifier = yield* makeVerifier({ keyPairs: new Map([[a.keyPairId, a.publicKeyPem]]), baseUrl: prefixed })
      const url = yield* signer.sign("t/1.jpg", expiresAt)
      assert.isTrue(url.startsWith("http://127.0.0.1:8080/files/t/1.jpg?"))
      assert.deepStrictEqual(yield* verifier.verify(url, 1), { key: "t/1.jpg", expiresAt })
      const withQuery = getSignedUrl({ url: "http://127.0.0.1:8080/files/t/1.jpg?v=2", keyPairId: a.keyPairId, privateKey: a.privateKeyPem, dateLessThan: expiresAt * 1000 })
      assert.deepStrictEqual(yield* verifier.verify(withQuery, 1), { key: "t/1.jpg", expiresAt })
      const reason = yield* verifier.verify(withQuery.replace("v=2", "v=3"), 1).pipe(Effect.flip, Effect.map((e) => e.reason))
      assert.strictEqual(reason, "bad_signature")
    }))

  it.effect("accepts SHA-256 signatures and custom policies with wildcards and start dates", () =>
    Effect.gen(function*() {
      const { a, verifier, rejection } = yield* setup
      const creds = { keyPairId: a.keyPairId, privateKey: a.privateKeyPem }
      const sha256 = getSignedUrl({ ...creds, url: `${base}/k.jpg`, dateLessThan: expiresAt * 1000, algorithm: "SHA256" })
      assert.deepStrictEqual(yield* verifier.verify(sha256, 1), { key: "k.jpg", expiresAt })
      assert.strictEqual(yield* rejection(sha256.replace("&Hash-Algorithm=SHA256", "")), "bad_signature")

      const policy = (resource: string, condition: object) =>
        JSON.stringify({ Statement: [{ Resource: resource, Condition: { DateLessThan: { "AWS:EpochTime": expiresAt }, ...condition } }] })
      const wildcard = getSignedUrl({ ...creds, url: `${base}/images/a/1.jpg`, policy: policy(`${base}/images/a/*`, {}) })
      assert.deepStrictEqual(yield* verifier.verify(wildcard, 1), { key: "images/a/1.jpg", expiresAt })
      assert.deepStrictEqual(yield* verifier.verify(wildcard.replace("/1.jpg", "/2.jpg"), 1), { key: "images/a/2.jpg", expiresAt })
      assert.strictEqual(yield* rejection(wildcard.replace("images/a/", "images/b/"), 1), "bad_signature")
      assert.strictEqual(yield* rejection(wildcard, expiresAt), "expired")

      const later = getSignedUrl({ ...creds, url: `${base}/k.jpg`, policy: policy(`${base}/k.jpg`, { DateGreaterThan: { "AWS:EpochTime": 1000 } }) })
      assert.strictEqual(yield* rejection(later, 999), "expired")
      assert.deepStrictEqual(yield* verifier.verify(later, 1000), { key: "k.jpg", expiresAt })

      const ip = getSignedUrl({ ...creds, url: `${base}/k.jpg`, policy: policy(`${base}/k.jpg`, { IpAddress: { "AWS:SourceIp": "10.0.0.1/32" } }) })
      assert.strictEqual(yield* rejection(ip, 1), "malformed")
    }))
})
