/**
 * The SDK in a real browser: bundled for the browser with esbuild, loaded by a
 * page served on loopback into headless Chromium, it uploads a photo the page
 * draws on a canvas (XMLHttpRequest, with upload progress) to the embedded
 * server and waits until it is ready. Proves the browser path imports nothing
 * of Node and that CORS, the form and the progress work there.
 */
import { assert, layer } from "@effect/vitest"
import * as esbuild from "esbuild"
import { Effect } from "effect"
import { createServer } from "node:http"
import { fileURLToPath } from "node:url"
import { launchChromium } from "../../test/support/chromium.ts"
import { E2eServer, layerEmbedded } from "../../test/support/servers.ts"

const entry = fileURLToPath(new URL("../src/index.ts", import.meta.url))


/** The SDK as one browser script defining `globalThis.MediaSdk`; fails on any Node import. */
const bundle = Effect.promise(() =>
  esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "iife",
    globalName: "MediaSdk",
    platform: "browser",
    target: "es2022",
    logLevel: "silent"
  })
).pipe(Effect.map((result) => result.outputFiles[0]!.text))

/** A page and the bundle on 127.0.0.1 until the scope closes; its origin. */
const servePage = (script: string) =>
  Effect.acquireRelease(
    Effect.callback<{ origin: string; close: () => void }>((resume) => {
      const server = createServer((req, res) => {
        if (req.url === "/media-client.js") {
          res.writeHead(200, { "content-type": "text/javascript" })
          return res.end(script)
        }
        res.writeHead(200, { "content-type": "text/html" })
        res.end("<!doctype html><title>sdk</title><script src=\"/media-client.js\"></script>")
      })
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        const port = typeof address === "object" && address !== null ? address.port : 0
        resume(Effect.succeed({ origin: `http://127.0.0.1:${port}`, close: () => { server.closeAllConnections(); server.close() } }))
      })
    }),
    ({ close }) => Effect.sync(close)
  ).pipe(Effect.map(({ origin }) => origin))

const browser = Effect.acquireRelease(
  Effect.promise(launchChromium),
  (b) => Effect.promise(() => b.close())
)

interface PageResult {
  readonly size: number
  readonly progress: ReadonlyArray<{ loaded: number; total: number; bytes: number }>
  readonly xhrSends: number
  readonly status: string
  readonly width: number | undefined
  readonly thumbnailBytes: number
  readonly errorCode: string | undefined
  readonly requestId: string | undefined
}

layer(layerEmbedded, { timeout: 120_000, excludeTestServices: true })("MediaClient in Chromium", (it) => {
  it.effect("bundles for the browser, uploads a canvas photo with XHR progress and waits until ready", () =>
    Effect.gen(function*() {
      const server = yield* E2eServer
      const script = yield* bundle
      assert.notMatch(script, /from\s*["']node:|require\(["']node:/, "no Node module in the browser bundle")
      const origin = yield* servePage(script)
      const chrome = yield* browser
      const page = yield* Effect.promise(() => chrome.newPage())
      yield* Effect.promise(() => page.goto(origin))
      const result = yield* Effect.promise(() =>
        page.evaluate(async (baseUrl): Promise<PageResult> => {
          const sdk = (globalThis as any).MediaSdk
          let xhrSends = 0
          const send = XMLHttpRequest.prototype.send
          XMLHttpRequest.prototype.send = function(this: XMLHttpRequest, body) {
            xhrSends += 1
            return send.call(this, body)
          }
          // A noisy 1024x768 photo, so the upload is big enough to report progress.
          const canvas = document.createElement("canvas")
          canvas.width = 1024
          canvas.height = 768
          const context = canvas.getContext("2d")!
          const pixels = context.createImageData(1024, 768)
          for (let i = 0; i < pixels.data.length; i++) pixels.data[i] = (i * 7919 + (i >> 5) * 104729) % 256
          context.putImageData(pixels, 0, 0)
          const blob: Blob = await new Promise((resolve) => canvas.toBlob((b) => resolve(b!), "image/jpeg", 0.9))
          const file = new File([blob], "photo.jpg", { type: "image/jpeg" })
          const media = new sdk.MediaClient({ baseUrl, auth: { apiId: "10020-140", password: "pw-a-0123456789" } })
          const progress: Array<{ loaded: number; total: number; bytes: number }> = []
          const uploaded = await media.upload(file, {
            entityId: "BROWSER1|SKU-1|DAMAGED|D1",
            onProgress: (p: { loaded: number; total: number; bytes: number }) => progress.push({ loaded: p.loaded, total: p.total, bytes: p.bytes })
          })
          const ready = await media.waitUntilReady(uploaded.file_id, { timeout: 60_000 })
          const thumbnail = await media.downloadBytes(ready, "thumbnail")
          const failure = await media.get("00000000-0000-4000-8000-000000000000").catch((e: any) => e)
          return {
            size: file.size,
            progress,
            xhrSends,
            status: ready.status,
            width: ready.width,
            thumbnailBytes: thumbnail.byteLength,
            errorCode: failure?.errorCode,
            requestId: failure?.requestId
          }
        }, server.url)
      )
      assert.strictEqual(result.xhrSends, 1, "the upload went through XMLHttpRequest")
      assert.isAbove(result.size, 100_000)
      assert.isAbove(result.progress.length, 0)
      assert.strictEqual(result.progress.reduce((sum, p) => sum + p.bytes, 0), result.size)
      assert.strictEqual(result.progress.at(-1)!.loaded, result.size)
      assert.strictEqual(result.status, "ready")
      assert.strictEqual(result.width, 1024)
      assert.isAbove(result.thumbnailBytes, 0)
      assert.strictEqual(result.errorCode, "FILE_NOT_FOUND")
      assert.isString(result.requestId, "the error keeps the API's request id")
    }))
})
