/**
 * The embedded CDN route over real HTTP (SPEC §9): a disk object behind a
 * memory file repository and a real CloudFront signer/verifier pair.
 */
import { assert, layer } from "@effect/vitest"
import { Context, Effect, Layer, Option, Redacted } from "effect"
import { HttpServer } from "effect/http"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { generateKeyPair } from "@media-object-storage/adapters/cloudfront/CloudFrontKeys"
import * as CloudFrontUrlSigner from "@media-object-storage/adapters/cloudfront/CloudFrontUrlSigner"
import { layerVerifier } from "@media-object-storage/adapters/cloudfront/CloudFrontUrlVerifier"
import type { FileRecord } from "@media-object-storage/core/FileRecord"
import { nowSeconds } from "@media-object-storage/core/nowSeconds"
import * as MemoryFileRepository from "@media-object-storage/core/memory/MemoryFileRepository"
import { imageKey, thumbnailKey } from "@media-object-storage/core/ObjectKeys"
import { FileRepository } from "@media-object-storage/core/ports/FileRepository"
import { uploadingRecord } from "../../../core/test/fixtures.ts"
import { CdnObjects } from "../../src/embedded/CdnObjects.ts"
import { cdnPath, cdnRoute } from "../../src/embedded/CdnRoute.ts"
import { serve } from "../../src/http/HttpApp.ts"
import { defaultHttpConfig, HttpConfig } from "../../src/http/HttpConfig.ts"
import { RequestMiddleware } from "../../src/http/RequestMiddleware.ts"

class Cdn extends Context.Service<Cdn, {
  /** Objects directory behind the route. */
  readonly root: string
  /** A signed URL of `key`, valid until `expiresAt` (UNIX seconds). */
  readonly sign: (key: string, expiresAt: number) => Effect.Effect<string>
  /** The image and thumbnail URLs of attempt 1 of a file, as the API hands them out (one custom policy). */
  readonly signFile: (record: FileRecord, expiresAt: number) => Effect.Effect<{ readonly image: string; readonly thumbnail: string }>
}>()("test/Cdn") {}

const layerCdn = Layer.effect(
  Cdn,
  Effect.gen(function*() {
    const root = yield* Effect.acquireRelease(
      Effect.sync(() => mkdtempSync(join(tmpdir(), "media-cdn-"))),
      (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
    )
    const keys = yield* generateKeyPair()
    let base = ""
    const routes = Layer.unwrap(Effect.gen(function*() {
      const { address } = yield* HttpServer.HttpServer
      if (address._tag !== "InetAddressV4") return yield* Effect.die(new Error("expected an IPv4 address"))
      const origin = `http://127.0.0.1:${address.port}`
      base = `${origin}${cdnPath}`
      return Layer.mergeAll(RequestMiddleware, cdnRoute(origin)).pipe(
        Layer.provide(layerVerifier({ keyPairs: new Map([[keys.keyPairId, keys.publicKeyPem]]), baseUrl: base })),
        Layer.provide(CdnObjects.layerDisk(root))
      )
    }))
    yield* Layer.build(serve(routes, { port: 0, host: "127.0.0.1" }).pipe(
      Layer.provide(Layer.succeed(HttpConfig, { ...defaultHttpConfig, logRequests: false }))
    ))
    const signer = yield* CloudFrontUrlSigner.make({ baseUrl: base, keyPairId: keys.keyPairId, privateKey: Redacted.make(keys.privateKeyPem) })
    return Cdn.of({
      root,
      sign: (key, expiresAt) => signer.sign(key, expiresAt).pipe(Effect.orDie),
      signFile: (record, expiresAt) =>
        signer.signDerivatives({ accountId: record.accountId, fileId: record.fileId, attempt: 1 }, expiresAt).pipe(Effect.orDie)
    })
  })
).pipe(Layer.provideMerge(MemoryFileRepository.layerMemory))

/** Deterministic bytes, several read chunks long. */
const objectBytes = (size: number) => Uint8Array.from({ length: size }, (_, i) => (i * 31 + 7) & 0xff)
const size = 300_000
const bytes = objectBytes(size)

/** Writes `key`'s object (the test bytes) under the CDN's root. */
const store = (key: string) =>
  Effect.map(Cdn, (cdn) => {
    const path = join(cdn.root, ...key.split("/"))
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, bytes)
  })

/** A ready file with its image stored; the image's signed URL, valid `ttl` seconds more. */
const readyImage = (ttl = 3600, status: FileRecord["status"] = "ready") =>
  Effect.gen(function*() {
    const cdn = yield* Cdn
    const record = uploadingRecord({ status, attempts: 1, fileSize: size })
    yield* (yield* FileRepository).create(record)
    const key = imageKey(record.accountId, record.fileId, 1)
    const path = join(cdn.root, ...key.split("/"))
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, bytes)
    const url = yield* cdn.sign(key, (yield* nowSeconds) + ttl)
    return { record, key, url }
  })

interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly body: Uint8Array
}

const fetchBytes = (url: string, init: RequestInit = {}) =>
  Effect.promise(async (): Promise<Reply> => {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) })
    return { status: response.status, headers: response.headers, body: new Uint8Array(await response.arrayBuffer()) }
  })

const withRange = (range: string, extra: Record<string, string> = {}): RequestInit => ({ headers: { range, ...extra } })

const text = (reply: Reply) => new TextDecoder().decode(reply.body)

layer(layerCdn)("CdnRoute", (it) => {
  it.effect("serves the whole object with validators, its length and type", () =>
    Effect.gen(function*() {
      const { url } = yield* readyImage()
      const reply = yield* fetchBytes(url)
      assert.strictEqual(reply.status, 200)
      assert.deepStrictEqual(reply.body, bytes)
      assert.strictEqual(reply.headers.get("content-length"), String(size))
      assert.strictEqual(reply.headers.get("content-type"), "image/jpeg")
      assert.strictEqual(reply.headers.get("accept-ranges"), "bytes")
      assert.strictEqual(reply.headers.get("x-content-type-options"), "nosniff")
      const etag = reply.headers.get("etag")
      assert.match(etag ?? "", /^"[^"]+"$/, "a strong, quoted entity tag")
      assert.isFalse(Number.isNaN(Date.parse(reply.headers.get("last-modified") ?? "")))
      // Stable: the same object answers the same tag.
      assert.strictEqual((yield* fetchBytes(url)).headers.get("etag"), etag)
    }))

  it.effect("Cache-Control never outlives the signed URL", () =>
    Effect.gen(function*() {
      const soon = yield* readyImage(20)
      const reply = yield* fetchBytes(soon.url)
      assert.strictEqual(reply.status, 200)
      const cacheControl = reply.headers.get("cache-control") ?? ""
      assert.match(cacheControl, /^private, max-age=\d+$/)
      const maxAge = Number(/max-age=(\d+)/.exec(cacheControl)![1])
      assert.isAtMost(maxAge, 20)
      assert.isAbove(maxAge, 0)
      const later = yield* readyImage(3600)
      const long = Number(/max-age=(\d+)/.exec((yield* fetchBytes(later.url)).headers.get("cache-control") ?? "")![1])
      assert.isAtMost(long, 3600)
      assert.isAbove(long, 20)
    }))

  it.effect("answers one range with 206 and Content-Range, clamping ends past the object", () =>
    Effect.gen(function*() {
      const { url } = yield* readyImage()
      const cases: ReadonlyArray<readonly [string, number, number]> = [
        ["bytes=0-0", 0, 0],
        ["bytes=0-9", 0, 9],
        ["bytes=100000-165535", 100_000, 165_535],
        ["bytes=299990-", 299_990, size - 1],
        ["bytes=299990-999999999", 299_990, size - 1],
        ["bytes=-5", size - 5, size - 1],
        ["bytes=-70000", size - 70_000, size - 1],
        ["bytes=-999999", 0, size - 1],
        ["BYTES = 10-19", 10, 19]
      ]
      for (const [range, start, end] of cases) {
        const reply = yield* fetchBytes(url, withRange(range))
        assert.strictEqual(reply.status, 206, range)
        assert.strictEqual(reply.headers.get("content-range"), `bytes ${start}-${end}/${size}`, range)
        assert.strictEqual(reply.headers.get("content-length"), String(end - start + 1), range)
        assert.deepStrictEqual(reply.body, bytes.subarray(start, end + 1), range)
        assert.isNotNull(reply.headers.get("etag"), range)
      }
    }))

  it.effect("answers a range past the end with 416 and Content-Range: bytes */size", () =>
    Effect.gen(function*() {
      const { url } = yield* readyImage()
      for (const range of [`bytes=${size}-`, `bytes=${size}-${size + 10}`, "bytes=999999999-", "bytes=-0"]) {
        const reply = yield* fetchBytes(url, withRange(range))
        assert.strictEqual(reply.status, 416, range)
        assert.strictEqual(reply.headers.get("content-range"), `bytes */${size}`, range)
        assert.include(text(reply), "<Code>InvalidRange</Code>", range)
      }
    }))

  it.effect("sends the whole object for several ranges, another unit or a malformed header, as S3 does", () =>
    Effect.gen(function*() {
      const { url } = yield* readyImage()
      for (const range of ["bytes=0-1,5-6", "bytes=5-2", "items=0-1", "bytes=a-b", "bytes=-"]) {
        const reply = yield* fetchBytes(url, withRange(range))
        assert.strictEqual(reply.status, 200, range)
        assert.isNull(reply.headers.get("content-range"), range)
        assert.strictEqual(reply.body.length, size, range)
      }
    }))

  it.effect("answers 304 to a matching If-None-Match, and the object to any other", () =>
    Effect.gen(function*() {
      const { url } = yield* readyImage()
      const etag = (yield* fetchBytes(url)).headers.get("etag")!
      for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, "*"]) {
        const reply = yield* fetchBytes(url, { headers: { "if-none-match": ifNoneMatch } })
        assert.strictEqual(reply.status, 304, ifNoneMatch)
        assert.strictEqual(reply.body.length, 0, ifNoneMatch)
        assert.strictEqual(reply.headers.get("etag"), etag, ifNoneMatch)
        assert.match(reply.headers.get("cache-control") ?? "", /^private, max-age=\d+$/, ifNoneMatch)
      }
      const other = yield* fetchBytes(url, { headers: { "if-none-match": `"not-${etag.slice(1)}` } })
      assert.strictEqual(other.status, 200)
      assert.strictEqual(other.body.length, size)
      // Without If-None-Match, If-Modified-Since decides (whole seconds).
      const lastModified = other.headers.get("last-modified")!
      assert.strictEqual((yield* fetchBytes(url, { headers: { "if-modified-since": lastModified } })).status, 304)
      const earlier = new Date(Date.parse(lastModified) - 1000).toUTCString()
      assert.strictEqual((yield* fetchBytes(url, { headers: { "if-modified-since": earlier } })).status, 200)
      assert.strictEqual(
        (yield* fetchBytes(url, { headers: { "if-modified-since": lastModified, "if-none-match": `"other"` } })).status,
        200
      )
      // If-Range with a stale tag: the range no longer applies, the whole object comes back.
      const stale = yield* fetchBytes(url, withRange("bytes=0-9", { "if-range": `"stale"` }))
      assert.strictEqual(stale.status, 200)
      const fresh = yield* fetchBytes(url, withRange("bytes=0-9", { "if-range": etag }))
      assert.strictEqual(fresh.status, 206)
    }))

  it.effect("HEAD answers the headers of GET without a body", () =>
    Effect.gen(function*() {
      const { url } = yield* readyImage()
      const head = yield* fetchBytes(url, { method: "HEAD" })
      assert.strictEqual(head.status, 200)
      assert.strictEqual(head.body.length, 0)
      assert.strictEqual(head.headers.get("content-length"), String(size))
      assert.strictEqual(head.headers.get("content-type"), "image/jpeg")
      assert.strictEqual(head.headers.get("accept-ranges"), "bytes")
      assert.strictEqual(head.headers.get("etag"), (yield* fetchBytes(url)).headers.get("etag"))
      const part = yield* fetchBytes(url, { method: "HEAD", headers: { range: "bytes=-10" } })
      assert.strictEqual(part.status, 206)
      assert.strictEqual(part.headers.get("content-length"), "10")
      assert.strictEqual(part.headers.get("content-range"), `bytes ${size - 10}-${size - 1}/${size}`)
    }))

  it.effect("serves a file's image and thumbnail under its one policy, and nothing else under it", () =>
    Effect.gen(function*() {
      const cdn = yield* Cdn
      const repo = yield* FileRepository
      const mine = uploadingRecord({ status: "ready", attempts: 1, fileSize: size })
      const other = uploadingRecord({ status: "ready", attempts: 1, fileSize: size })
      for (const record of [mine, other]) {
        yield* repo.create(record)
        yield* store(imageKey(record.accountId, record.fileId, 1))
        yield* store(thumbnailKey(record.accountId, record.fileId, 1))
      }
      const expiresAt = (yield* nowSeconds) + 3600
      const urls = yield* cdn.signFile(mine, expiresAt)
      for (const url of [urls.image, urls.thumbnail]) {
        const reply = yield* fetchBytes(url)
        assert.strictEqual(reply.status, 200, url)
        assert.deepStrictEqual(reply.body, bytes)
        const maxAge = Number(/max-age=(\d+)/.exec(reply.headers.get("cache-control") ?? "")![1])
        assert.isAtMost(maxAge, 3600)
        assert.isAbove(maxAge, 3500)
      }
      const query = urls.image.slice(urls.image.indexOf("?") + 1)
      const base = urls.image.slice(0, urls.image.indexOf("/images/"))
      const tail = `/${mine.accountId}/${mine.fileId}/1.jpg`
      const otherImage = `${base}/${imageKey(other.accountId, other.fileId, 1)}`
      const refused = [
        `${otherImage}?${query}`,
        `${otherImage}?x=${tail}&${query}`,
        `${base}/thumbnails/${other.accountId}/${other.fileId}/1.jpg?${encodeURIComponent("x")}=${tail}&${query}`,
        `${base}/originals/${mine.accountId}/${mine.fileId}?x=${tail}&${query}`,
        `${base}/images/${mine.accountId}/${mine.fileId}/2.jpg?${query}`,
        `${base}/images%2F${other.accountId}%2F${other.fileId}%2F1.jpg${tail}?${query}`,
        `${base}/x/images${tail}?${query}`
      ]
      for (const url of refused) {
        const reply = yield* fetchBytes(url)
        assert.strictEqual(reply.status, 403, url)
        assert.include(text(reply), "<Code>AccessDenied</Code>")
      }
      // The other file's own URLs still work: the refusals above are the policy's doing.
      assert.strictEqual((yield* fetchBytes((yield* cdn.signFile(other, expiresAt)).image)).status, 200)
    }))

  it.effect("refuses the signed URLs of a deleted file, and of one not ready, though the bytes are on disk", () =>
    Effect.gen(function*() {
      const deleted = yield* readyImage()
      const thumbnail = yield* (yield* Cdn).sign(thumbnailKey(deleted.record.accountId, deleted.record.fileId, 1), (yield* nowSeconds) + 60)
      assert.strictEqual((yield* fetchBytes(deleted.url)).status, 200)
      yield* (yield* FileRepository).delete(deleted.record.accountId, deleted.record.fileId)
      for (const url of [deleted.url, thumbnail]) {
        for (const method of ["GET", "HEAD"]) {
          const reply = yield* fetchBytes(url, { method })
          assert.strictEqual(reply.status, 403, `${method} ${url}`)
          if (method === "GET") assert.include(text(reply), "<Code>AccessDenied</Code>")
        }
      }
      const processing = yield* readyImage(3600, "processing")
      assert.strictEqual((yield* fetchBytes(processing.url)).status, 403)
      assert.isTrue(Option.isSome(yield* (yield* FileRepository).get(processing.record.accountId, processing.record.fileId)))
    }))
})
