/**
 * A file's signed URLs open that file's image and thumbnail and nothing else:
 * the one custom policy, its signing parameters grafted onto any other URL
 * (other files, accounts, attempts, the original, path and query tricks), is
 * refused by the verifier or grants a key that is no derivative at all
 * (which the CDN route and S3 refuse).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Redacted } from "effect"
import * as fc from "fast-check"
import type { AccountId, FileId } from "@media-object-storage/core/Ids"
import { parseDerivativeKey } from "@media-object-storage/core/ObjectKeys"
import { generateKeyPair } from "../../src/cloudfront/CloudFrontKeys.ts"
import { make } from "../../src/cloudfront/CloudFrontUrlSigner.ts"
import { makeVerifier } from "../../src/cloudfront/CloudFrontUrlVerifier.ts"
import { resourceMatches } from "../../src/cloudfront/CustomPolicy.ts"

const base = "https://cdn.example.com/media"
const expiresAt = 1_900_000_000
const account = "10020"
const fileId = "0b7f0b7f-0b7f-4b7f-8b7f-0b7f0b7f0b7f"
const otherFile = "6c1d2e3f-4a5b-4c6d-8e7f-901234567890"
const attempt = 2

const setup = Effect.gen(function*() {
  const keys = yield* generateKeyPair()
  const signer = yield* make({ baseUrl: base, keyPairId: keys.keyPairId, privateKey: Redacted.make(keys.privateKeyPem) })
  const verifier = yield* makeVerifier({ keyPairs: new Map([[keys.keyPairId, keys.publicKeyPem]]), baseUrl: base })
  const urls = yield* signer.signDerivatives({ accountId: account as AccountId, fileId: fileId as FileId, attempt }, expiresAt)
  const signing = urls.image.slice(urls.image.indexOf("?") + 1)
  /** `url` (path, maybe a query) with this file's signing parameters appended. */
  const graft = (url: string) => `${url}${url.includes("?") ? "&" : "?"}${signing}`
  /** The derivative a URL opens through the verifier and the route's key check; none when refused. */
  const opens = (url: string) =>
    verifier.verify(url, expiresAt - 60).pipe(
      Effect.map(({ key }) => parseDerivativeKey(key)),
      Effect.orElseSucceed(() => Option.none())
    )
  /** Fails the test when `url` opens anything but this file's attempt. */
  const assertClosed = (url: string) =>
    Effect.gen(function*() {
      const opened = yield* opens(url)
      if (Option.isNone(opened)) return
      const { accountId, attempt: a, fileId: f } = opened.value
      assert.deepStrictEqual([accountId, f, a], [account, fileId, attempt], `${url} opened ${JSON.stringify(opened.value)}`)
    })
  return { urls, graft, opens, assertClosed }
})

describe("DerivativesResource", () => {
  it.effect("the policy's URLs open exactly this file's image and thumbnail", () =>
    Effect.gen(function*() {
      const { opens, urls } = yield* setup
      assert.deepStrictEqual(
        yield* opens(urls.image),
        Option.some({ accountId: account, fileId, attempt }) as Option.Option<unknown>
      )
      assert.isTrue(urls.thumbnail.startsWith(`${base}/thumbnails/${account}/${fileId}/${attempt}.jpg?Policy=`))
      assert.isTrue(Option.isSome(yield* opens(urls.thumbnail)))
      const policy = JSON.parse(Buffer.from(new URL(urls.image).searchParams.get("Policy")!.replace(/-/g, "+").replace(/_/g, "=").replace(/~/g, "/"), "base64").toString("utf8"))
      assert.strictEqual(policy.Statement[0].Resource, `${base}/*/${account}/${fileId}/${attempt}.jpg`)
    }))

  it.effect("refuses the signature for other files, accounts, attempts, the original and path or query tricks", () =>
    Effect.gen(function*() {
      const { assertClosed, graft, opens } = yield* setup
      const tail = `/${account}/${fileId}/${attempt}.jpg`
      const tricks = [
        // other objects
        `${base}/images/${account}/${otherFile}/${attempt}.jpg`,
        `${base}/thumbnails/20030/${fileId}/${attempt}.jpg`,
        `${base}/images/${account}/${fileId}/1.jpg`,
        `${base}/images/${account}/${fileId}/12.jpg`,
        `${base}/images/${account}/${fileId}/02.jpg`,
        `${base}/originals/${account}/${fileId}`,
        `${base}/images/1${account}/${fileId}/${attempt}.jpg`,
        // query strings carrying the tail (CloudFront itself would accept these: see docs/security.md)
        `${base}/images/${account}/${otherFile}/${attempt}.jpg?x=${tail}`,
        `${base}/originals/${account}/${fileId}?x=${tail}`,
        `${base}/images/20030/${otherFile}/1.jpg?${tail}`,
        `${base}/images/20030/${otherFile}/1.jpg?a=1&b=${tail}`,
        // dot segments, encoded and doubled slashes, other case
        `${base}/images/${account}/${otherFile}/../../${account}/${fileId}/${attempt}.jpg`,
        `${base}/images/${account}/${otherFile}/%2e%2e/${fileId}/${attempt}.jpg`,
        `${base}/images%2F${account}%2F${otherFile}%2F1.jpg${tail}`,
        `${base}/originals%2F${account}%2F${fileId}${tail}`,
        `${base}/images/${account}/${otherFile}%2F${attempt}.jpg`,
        `${base}/images/${account}%2F${fileId}%2F${attempt}.jpg`,
        `${base}//${account}/${fileId}/${attempt}.jpg`,
        `${base}/images//${account}/${fileId}/${attempt}.jpg`,
        `${base}/x/images${tail}`,
        `${base}/IMAGES${tail}`,
        `${base}/images/${account}/${fileId}/${attempt}.jpg/`,
        `${base}/images/${account}/${fileId}/${attempt}.jpg/..`,
        `https://evil.example.com/media/images${tail}`,
        `${base}/../images/${account}/${otherFile}/${attempt}.jpg`
      ]
      for (const url of tricks) yield* assertClosed(graft(url))
      // The query trick matters because the signature itself is good: the same URL without the query opens the file.
      assert.isTrue(Option.isNone(yield* opens(graft(`${base}/images/${account}/${otherFile}/${attempt}.jpg?x=${tail}`))))
      assert.isTrue(resourceMatches(`${base}/*${tail}`, `${base}/images${tail}`))
      assert.isFalse(resourceMatches(`${base}/*${tail}`, `${base}/images/a/b/1.jpg?x=${tail}`))
    }))

  it.effect("any URL built from object-key parts, tricks and a query is refused unless it is this file's", () =>
    Effect.gen(function*() {
      const { assertClosed, graft } = yield* setup
      const tail = `/${account}/${fileId}/${attempt}.jpg`
      const trick = fc.constantFrom("", ".", "..", "%2e%2e", "%2F", `${fileId}%2F${attempt}.jpg`, "IMAGES", "x")
      const keyLike = fc.tuple(
        fc.constantFrom("images", "thumbnails", "originals"),
        fc.constantFrom(account, "20030", `${account}0`),
        fc.constantFrom(fileId, otherFile),
        fc.constantFrom(`${attempt}.jpg`, "1.jpg", `${attempt}0.jpg`)
      ).map((parts): Array<string> => [...parts])
      // Key-shaped paths, sometimes with trick segments spliced in, sometimes trick segments alone.
      const path = fc.oneof(
        keyLike,
        fc.tuple(keyLike, fc.nat(4), trick).map(([parts, at, extra]) => [...parts.slice(0, at), extra, ...parts.slice(at)]),
        fc.array(trick, { minLength: 1, maxLength: 4 }).map((parts) => [...parts, ...tail.slice(1).split("/")])
      )
      const query = fc.oneof(
        fc.constant(undefined),
        fc.constant(`x=${tail}`),
        fc.constant(tail),
        fc.array(fc.constantFrom("x=", tail, "&", "/", "?", "images", "%2F", "#"), { maxLength: 5 }).map((parts) => parts.join(""))
      )
      const urls = fc.sample(
        fc.tuple(path, query).map(([segments, q]) => `${base}/${segments.join("/")}${q === undefined ? "" : `?${q}`}`),
        { numRuns: 2000, seed: 13 }
      )
      for (const url of urls) yield* assertClosed(graft(url))
    }))
})
