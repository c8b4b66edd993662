/**
 * The Promise client against the real embedded server (in process, loopback),
 * with a loopback proxy where a fault must be injected or requests counted.
 */
import { assert, layer } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { Readable } from "node:stream"
import { E2eServer, layerEmbedded } from "../../test/support/servers.ts"
import * as MediaApiClient from "../src/effect.ts"
import { isMediaError, MediaClient, MediaError, type UploadProgress } from "../src/index.ts"
import { describeImage, makeJpeg } from "./support/images.ts"
import { loopbackProxy } from "./support/LoopbackProxy.ts"

const auth = { apiId: "10020-140", password: "pw-a-0123456789" }
const fastRetry = { attempts: 4, baseDelayMs: 20, maxDelayMs: 200 }

const clientOf = (baseUrl: string) => new MediaClient({ baseUrl, auth, retry: fastRetry })
const client = Effect.map(E2eServer, (server) => clientOf(server.url))

/** The rejection of `promise` (fails the test if it resolves). */
const rejection = (promise: Promise<unknown>) =>
  Effect.promise(() => promise.then(() => undefined, (error: unknown) => ({ error }))).pipe(
    Effect.map((outcome) => {
      assert.isDefined(outcome, "expected a rejection")
      return outcome!.error
    })
  )

/** Checks `condition` up to `times` times, 100 ms apart; true as soon as it holds. */
const eventually = (condition: () => Promise<boolean>, times = 100) =>
  Effect.promise(async () => {
    for (let i = 0; i < times; i++) {
      if (await condition()) return true
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    return false
  })

const collect = <A>(iterable: AsyncIterable<A>) =>
  Effect.promise(async () => {
    const all: Array<A> = []
    for await (const a of iterable) all.push(a)
    return all
  })

const recordProgress = () => {
  const events: Array<UploadProgress> = []
  return { events, onProgress: (event: UploadProgress) => events.push(event) }
}

const assertProgressCovers = (events: ReadonlyArray<UploadProgress>, size: number) => {
  assert.isAbove(events.length, 0)
  assert.strictEqual(events.reduce((sum, e) => sum + e.bytes, 0), size)
  assert.strictEqual(events.at(-1)!.loaded, size)
  for (let i = 1; i < events.length; i++) assert.isAbove(events[i]!.loaded, events[i - 1]!.loaded)
  for (const event of events) assert.strictEqual(event.total, size)
}

layer(layerEmbedded, { timeout: 120_000, excludeTestServices: true })("MediaClient (embedded server)", (it) => {
  it.effect("uploads bytes with progress summing to the size, then waits until ready", () =>
    Effect.gen(function*() {
      const media = yield* client
      const bytes = yield* Effect.promise(() => makeJpeg(1200, 800, 1))
      const progress = recordProgress()
      const file = yield* Effect.promise(() =>
        media.upload(bytes, { entityId: "SDK1|SKU-1|DAMAGED|D1", onProgress: progress.onProgress })
      )
      assert.include(["uploaded", "processing", "ready"], file.status)
      assert.strictEqual(file.entity_id, "SDK1|SKU-1|DAMAGED|D1")
      assertProgressCovers(progress.events, bytes.byteLength)
      const ready = yield* Effect.promise(() => media.waitUntilReady(file.file_id, { timeout: 60_000 }))
      assert.strictEqual(ready.status, "ready")
      assert.strictEqual(ready.content_type, "image/jpeg")
      assert.strictEqual(ready.width, 1200)
      assert.isString(ready.download_url)
    }))

  it.effect("uploads a Node stream of declared size, streaming it with progress", () =>
    Effect.gen(function*() {
      const media = yield* client
      const bytes = yield* Effect.promise(() => makeJpeg(800, 600, 2, true))
      assert.isAbove(bytes.byteLength, 100_000)
      // Chunks of 10 000 bytes, as a file read stream gives them.
      const stream = Readable.from((function*() {
        for (let i = 0; i < bytes.byteLength; i += 10_000) yield Buffer.from(bytes.subarray(i, i + 10_000))
      })())
      const progress = recordProgress()
      const file = yield* Effect.promise(() =>
        media.upload(stream, { entityId: "SDK2|SKU-1|DAMAGED|D1", fileSize: bytes.byteLength, onProgress: progress.onProgress })
      )
      assertProgressCovers(progress.events, bytes.byteLength)
      assert.isAbove(progress.events.length, 2, "progress comes in several steps")
      const ready = yield* Effect.promise(() => media.waitUntilReady(file.file_id))
      assert.strictEqual(ready.file_size > 0, true)
    }))

  it.effect("a stream of unknown size is read first and uploads the same", () =>
    Effect.gen(function*() {
      const media = yield* client
      const bytes = yield* Effect.promise(() => makeJpeg(300, 200, 3))
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes.slice(0, 1000))
          controller.enqueue(bytes.slice(1000))
          controller.close()
        }
      })
      const file = yield* Effect.promise(() => media.upload(stream, { entityId: "SDK3|SKU-1|DAMAGED|D1" }))
      const ready = yield* Effect.promise(() => media.waitUntilReady(file.file_id))
      assert.strictEqual(ready.width, 300)
    }))

  it.effect("uploads a File through fetch in Node, its type taken from the File, progress summing to the size", () =>
    Effect.gen(function*() {
      const server = yield* E2eServer
      const bytes = yield* Effect.promise(() => makeJpeg(200, 100, 4))
      const media = new MediaClient({ baseUrl: server.url, auth, uploadTransport: "fetch" })
      const progress = recordProgress()
      const file = yield* Effect.promise(() =>
        media.upload(new File([bytes as Uint8Array<ArrayBuffer>], "shelf.jpg", { type: "image/jpeg" }), {
          entityId: "SDK15|SKU-1|DAMAGED|D1",
          onProgress: progress.onProgress
        })
      )
      assertProgressCovers(progress.events, bytes.byteLength)
      const ready = yield* Effect.promise(() => media.waitUntilReady(file.file_id))
      assert.strictEqual(ready.width, 200)
    }))

  it.effect("search iterates over every page (5 files, limit 2) in the API's order", () =>
    Effect.gen(function*() {
      const media = yield* client
      const server = yield* E2eServer
      const proxy = yield* loopbackProxy(server.url)
      const viaProxy = clientOf(proxy.url)
      const ids: Array<string> = []
      for (let i = 0; i < 5; i++) {
        const bytes = yield* Effect.promise(() => makeJpeg(64, 64, 10 + i))
        const file = yield* Effect.promise(() => media.upload(bytes, { entityId: `SDK4|SKU-${i % 2}|DAMAGED|D${i}` }))
        ids.push(file.file_id)
      }
      // Another shipment whose id starts the same must not match (whole parts).
      yield* Effect.promise(async () => media.upload(await makeJpeg(64, 64, 20), { entityId: "SDK40|SKU-0|DAMAGED|D0" }))
      const files = yield* collect(viaProxy.search({ entityId: "SDK4", limit: 2 }))
      assert.sameMembers(files.map((f) => f.file_id), ids)
      assert.strictEqual(proxy.count("GET", "/v1/media/search"), 3, "3 pages of 2, 2 and 1")
      const keys = files.map((f) => f.entity_id)
      assert.deepStrictEqual(keys, [...keys].sort())
      const pages = yield* collect(media.searchPages({ entityId: "SDK4|SKU-1", limit: 2 }))
      assert.deepStrictEqual(pages.map((p) => p.files.length), [2])
    }))

  it.effect("downloads a 256x256 JPEG thumbnail and the image", () =>
    Effect.gen(function*() {
      const media = yield* client
      const bytes = yield* Effect.promise(() => makeJpeg(900, 600, 5))
      const file = yield* Effect.promise(() => media.upload(bytes, { entityId: "SDK5|SKU-1|DAMAGED|D1" }))
      const ready = yield* Effect.promise(() => media.waitUntilReady(file.file_id))
      const thumbnail = yield* Effect.promise(() => media.downloadBytes(ready, "thumbnail"))
      assert.deepStrictEqual(yield* Effect.promise(() => describeImage(thumbnail)), { width: 256, height: 256, format: "jpeg" })
      const image = yield* Effect.promise(() => media.download(file.file_id, "image"))
      assert.strictEqual(image.headers.get("content-type"), "image/jpeg")
      const described = yield* Effect.promise(async () => describeImage(new Uint8Array(await image.arrayBuffer())))
      assert.deepStrictEqual(described, { width: 900, height: 600, format: "jpeg" })
    }))

  it.effect("a download URL that stopped working is signed again by re-reading the file", () =>
    Effect.gen(function*() {
      const server = yield* E2eServer
      const media = yield* client
      const bytes = yield* Effect.promise(() => makeJpeg(400, 300, 6))
      const file = yield* Effect.promise(() => media.upload(bytes, { entityId: "SDK6|SKU-1|DAMAGED|D1" }))
      const ready = yield* Effect.promise(() => media.waitUntilReady(file.file_id))
      // As if the record was read long ago: its thumbnail URL has expired.
      const stale = { ...ready, thumbnail_url: `${ready.thumbnail_url!.replace(/Signature=[^&]+/, "Signature=AAAA")}`, thumbnail_expires_at: ready.thumbnail_expires_at! }
      const proxy = yield* loopbackProxy(server.url)
      const viaProxy = clientOf(proxy.url)
      const thumbnail = yield* Effect.promise(() => viaProxy.downloadBytes(stale, "thumbnail"))
      assert.strictEqual((yield* Effect.promise(() => describeImage(thumbnail))).width, 256)
      assert.strictEqual(proxy.count("GET", `/v1/media/${file.file_id}`), 1, "the file was read again once")
      // And one whose expiry is past is refreshed before any CDN request.
      const expired = { ...ready, download_expires_at: 1 }
      yield* Effect.promise(() => viaProxy.downloadBytes(expired, "image"))
      assert.strictEqual(proxy.count("GET", `/v1/media/${file.file_id}`), 2)
    }))

  it.effect("delete, then get: a typed FILE_NOT_FOUND with the request id", () =>
    Effect.gen(function*() {
      const media = yield* client
      const bytes = yield* Effect.promise(() => makeJpeg(100, 100, 7))
      const file = yield* Effect.promise(() => media.upload(bytes, { entityId: "SDK7|SKU-1|DAMAGED|D1" }))
      yield* Effect.promise(() => media.delete(file.file_id))
      const error = yield* rejection(media.get(file.file_id))
      assert.instanceOf(error, MediaError)
      assert.isTrue(isMediaError(error, "FILE_NOT_FOUND"))
      const e = error as MediaError
      assert.strictEqual(e.status, 404)
      assert.match(e.requestId ?? "", /^[0-9a-f-]{36}$/)
      assert.isFalse(e.retryable)
      const again = yield* rejection(media.delete(file.file_id))
      assert.strictEqual((again as MediaError).errorCode, "FILE_NOT_FOUND")
    }))

  it.effect("refusals (4xx) are never retried: the API's and storage's", () =>
    Effect.gen(function*() {
      const server = yield* E2eServer
      const proxy = yield* loopbackProxy(server.url, {
        // A policy storage must refuse: the signature no longer matches.
        rewriteJson: (request, json) =>
          request.path.startsWith("/v1/media/upload-url") && json.fields !== undefined
            ? { ...json, fields: Object.fromEntries(Object.entries(json.fields as Record<string, string>).map(([k, v]) => [k, /signature/i.test(k) ? `0${v.slice(1)}` : v])) }
            : json
      })
      const media = clientOf(proxy.url)
      const bytes = yield* Effect.promise(() => makeJpeg(100, 100, 8))

      const heic = yield* rejection(media.upload(bytes, { entityId: "SDK8|SKU-1|DAMAGED|D1", contentType: "image/heic" }))
      assert.strictEqual((heic as MediaError).errorCode, "INVALID_REQUEST")
      assert.strictEqual((heic as MediaError).status, 400)
      assert.match((heic as MediaError).message, /JPEG/)
      assert.isString((heic as MediaError).requestId)
      assert.strictEqual(proxy.count("POST", "/v1/media/upload-url"), 1)

      const badKey = yield* rejection(media.upload(bytes, { entityId: "SDK8|" }))
      assert.strictEqual((badKey as MediaError).errorCode, "INVALID_REQUEST")
      assert.strictEqual(proxy.count("POST", "/v1/media/upload-url"), 2)

      const refused = yield* rejection(media.upload(bytes, { entityId: "SDK8|SKU-1|DAMAGED|D1" }))
      assert.strictEqual((refused as MediaError).errorCode, "UPLOAD_REJECTED")
      assert.strictEqual((refused as MediaError).status, 403)
      assert.strictEqual((refused as MediaError).storageCode, "SignatureDoesNotMatch")
      assert.strictEqual(proxy.count("POST", "/storage/"), 1, "storage was asked once")
      assert.strictEqual(proxy.count("POST", "/v1/media/upload-url"), 3)
    }))

  it.effect("a 503 from storage is retried with backoff and the upload succeeds", () =>
    Effect.gen(function*() {
      const server = yield* E2eServer
      let storagePosts = 0
      const proxy = yield* loopbackProxy(server.url, {
        intercept: (request) => {
          if (request.method !== "POST" || !request.path.startsWith("/storage/")) return undefined
          storagePosts += 1
          return storagePosts <= 2
            ? { status: 503, body: "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>" }
            : undefined
        }
      })
      const media = clientOf(proxy.url)
      const bytes = yield* Effect.promise(() => makeJpeg(500, 400, 9))
      const progress = recordProgress()
      const file = yield* Effect.promise(() =>
        media.upload(bytes, { entityId: "SDK9|SKU-1|DAMAGED|D1", onProgress: progress.onProgress })
      )
      assert.strictEqual(proxy.count("POST", "/storage/"), 3)
      assert.strictEqual(proxy.count("POST", "/v1/media/upload-url"), 1, "the same target is reused")
      assert.deepStrictEqual([...new Set(progress.events.map((e) => e.attempt))], [1, 2, 3])
      assertProgressCovers(progress.events.filter((e) => e.attempt === 3), bytes.byteLength)
      const ready = yield* Effect.promise(() => media.waitUntilReady(file.file_id))
      assert.strictEqual(ready.status, "ready")
    }))

  it.effect("a 503 from the API is retried; the retries are bounded", () =>
    Effect.gen(function*() {
      const server = yield* E2eServer
      const proxy = yield* loopbackProxy(server.url, {
        intercept: (request) =>
          request.path.startsWith("/v1/media/search")
            ? { status: 503, body: JSON.stringify({ error_code: "INTERNAL_ERROR", error_data: { message: "service not ready" }, request_id: "r-1" }), contentType: "application/json" }
            : undefined
      })
      const media = clientOf(proxy.url)
      const error = yield* rejection(collect(media.search({ entityId: "SDK10" })).pipe(Effect.runPromise))
      assert.strictEqual((error as MediaError).errorCode, "INTERNAL_ERROR")
      assert.strictEqual((error as MediaError).requestId, "r-1")
      assert.strictEqual(proxy.count("GET", "/v1/media/search"), fastRetry.attempts)
    }))

  it.effect("an expired upload target is replaced by a new one", () =>
    Effect.gen(function*() {
      const server = yield* E2eServer
      let storagePosts = 0
      const proxy = yield* loopbackProxy(server.url, {
        intercept: (request) => {
          if (request.method !== "POST" || !request.path.startsWith("/storage/")) return undefined
          storagePosts += 1
          // What S3 (and the embedded endpoint) answer once the policy's expiration has passed.
          return storagePosts === 1
            ? { status: 403, body: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Invalid according to Policy: Policy expired.</Message></Error>" }
            : undefined
        }
      })
      const tickets: Array<string> = []
      const spy = new MediaClient({
        baseUrl: proxy.url,
        auth,
        retry: fastRetry,
        fetch: async (input, init) => {
          const response = await fetch(input, init)
          if (String(input).endsWith("/v1/media/upload-url")) tickets.push((await response.clone().json()).file_id)
          return response
        }
      })
      const bytes = yield* Effect.promise(() => makeJpeg(200, 200, 11))
      const file = yield* Effect.promise(() => spy.upload(bytes, { entityId: "SDK11|SKU-1|DAMAGED|D1" }))
      assert.strictEqual(proxy.count("POST", "/v1/media/upload-url"), 2, "a second target was asked for")
      assert.strictEqual(tickets.length, 2)
      assert.strictEqual(file.file_id, tickets[1])
      const ready = yield* Effect.promise(() => spy.waitUntilReady(file.file_id))
      assert.strictEqual(ready.status, "ready")
      // The abandoned first record is deleted, not left to expire.
      const gone = yield* eventually(() => spy.get(tickets[0]!).then(() => false, (e) => isMediaError(e, "FILE_NOT_FOUND")))
      assert.isTrue(gone)
    }))

  it.effect("an AbortSignal rejects the upload at once and leaves no file", () =>
    Effect.gen(function*() {
      const server = yield* E2eServer
      const media = yield* client
      const bytes = yield* Effect.promise(() => makeJpeg(1600, 1200, 12))
      const controller = new AbortController()
      let stalled = false
      // Sends one chunk, then never another: only the abort can end this upload.
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(bytes.slice(0, 65_536))
        },
        pull() {
          stalled = true
          return new Promise(() => undefined)
        }
      })
      const error = yield* rejection(media.upload(stream, {
        entityId: "SDK12|SKU-1|DAMAGED|D1",
        fileSize: bytes.byteLength,
        signal: controller.signal,
        onProgress: (event) => {
          if (event.loaded > 0) controller.abort()
        }
      }))
      assert.isTrue(stalled, "the body was still being sent")
      assert.strictEqual((error as Error).name, "AbortError")
      const files = yield* collect(media.search({ entityId: "SDK12" }))
      assert.isFalse(files.some((f) => f.status === "ready"))
      const cleaned = yield* eventually(async () => {
        const left = await Effect.runPromise(server.objectKeys)
        const remaining = await collect(media.search({ entityId: "SDK12" })).pipe(Effect.runPromise)
        return remaining.length === 0 && !left.some((key) => key.startsWith("originals/"))
      })
      assert.isTrue(cleaned, "the record and every partial object are gone")
      // An already aborted signal never sends anything.
      const early = yield* rejection(media.upload(bytes, { entityId: "SDK12|SKU-1|DAMAGED|D2", signal: AbortSignal.abort() }))
      assert.strictEqual((early as Error).name, "AbortError")
    }))

  it.effect("waitUntilReady rejects with PROCESSING_FAILED and the failure reason", () =>
    Effect.gen(function*() {
      const media = yield* client
      const notAnImage = new TextEncoder().encode("<html>not an image</html>")
      const file = yield* Effect.promise(() => media.upload(notAnImage, { entityId: "SDK13|SKU-1|DAMAGED|D1", contentType: "image/png" }))
      const error = yield* rejection(media.waitUntilReady(file.file_id))
      assert.strictEqual((error as MediaError).errorCode, "PROCESSING_FAILED")
      assert.strictEqual((error as MediaError).failureReason, "unsupported_format")
      const notReady = yield* rejection(media.download(file.file_id, "image"))
      assert.strictEqual((notReady as MediaError).errorCode, "FILE_NOT_READY")
    }))

  it.effect("wrong credentials are ACCESS_DENIED with status 401, not retried", () =>
    Effect.gen(function*() {
      const server = yield* E2eServer
      const proxy = yield* loopbackProxy(server.url)
      const media = new MediaClient({ baseUrl: proxy.url, auth: { token: "wrong-token-0123456789" }, retry: fastRetry })
      const error = yield* rejection(media.get("00000000-0000-4000-8000-000000000000"))
      assert.strictEqual((error as MediaError).errorCode, "ACCESS_DENIED")
      assert.strictEqual((error as MediaError).status, 401)
      assert.strictEqual(proxy.count("GET", "/v1/media/"), 1)
    }))

  it.effect("the Effect client derived from the contract reads, searches and types its errors", () =>
    Effect.gen(function*() {
      const server = yield* E2eServer
      const media = yield* client
      const bytes = yield* Effect.promise(() => makeJpeg(120, 80, 14))
      const uploaded = yield* Effect.promise(() => media.upload(bytes, { entityId: "SDK14|SKU-1|DAMAGED|D1" }))
      const api = yield* MediaApiClient.MediaApiClient.pipe(
        Effect.provide(MediaApiClient.MediaApiClient.layerFetch({ baseUrl: server.url, auth: { token: "token-writer-a-0123456789" } }))
      )
      const file = yield* api.media.getFile({ params: { file_id: Schema.decodeSync(MediaApiClient.FileId)(uploaded.file_id) } })
      assert.strictEqual(file.entity_id, "SDK14|SKU-1|DAMAGED|D1")
      const page = yield* api.media.search({ query: { entity_type: "shipment_item", entity_id: "SDK14" } })
      assert.deepStrictEqual(page.files.map((f) => f.file_id), [uploaded.file_id])
      const missing = yield* api.media.getFile({ params: { file_id: Schema.decodeSync(MediaApiClient.FileId)("00000000-0000-4000-8000-000000000000") } }).pipe(Effect.flip)
      assert.instanceOf(missing, MediaApiClient.FileNotFoundError)
      if (missing instanceof MediaApiClient.FileNotFoundError) assert.strictEqual(missing.error_code, "FILE_NOT_FOUND")
    }))
})
