/**
 * The SDK under Deno against the real server: `npm start`'s entry
 * (`apps/src/server/main.ts`, embedded mode) as a child process on a loopback
 * port with a fresh data dir; upload with progress, ready, thumbnail, search,
 * delete — all through Deno's own fetch.
 */
import assert from "node:assert/strict"
import { MediaClient, MediaError } from "../../src/index.ts"

declare const Deno: any

const repoRoot = new URL("../../../", import.meta.url).pathname

/** The sample photo of the README (a real JPEG with EXIF). */
const photo = () => Deno.readFile(`${repoRoot}examples/photo.jpg`) as Promise<Uint8Array>

const freePort = () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 })
  const port = listener.addr.port
  listener.close()
  return port
}

Deno.test({
  name: "MediaClient on Deno against the real embedded server: upload, ready, thumbnail, search, delete",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "media-deno-" })
    const port = freePort()
    const child = new Deno.Command(`${repoRoot}node_modules/.bin/node`, {
      args: ["apps/src/server/main.ts"],
      cwd: repoRoot,
      env: {
        PORT: String(port),
        HOST: "127.0.0.1",
        MEDIA_PUBLIC_URL: `http://127.0.0.1:${port}`,
        MEDIA_DATA_DIR: `${dataDir}/data`,
        MEDIA_HTTP_LOG: "false"
      },
      stdout: "piped",
      stderr: "null"
    }).spawn()
    try {
      // The first start prints the credential once: read until the `export AUTH='…'` line (bounded by the stream's end).
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader()
      let output = ""
      let auth: RegExpExecArray | null = null
      while (auth === null) {
        const { value, done } = await reader.read()
        if (done === true) throw new Error(`the server exited:\n${output}`)
        output += value
        auth = /export AUTH='([^:']+):([^']+)'/.exec(output)
      }
      reader.releaseLock()
      child.stdout.cancel().catch(() => undefined)
      const baseUrl = `http://127.0.0.1:${port}`
      for (let i = 0; i < 300; i++) {
        const ok = await fetch(`${baseUrl}/healthz`).then((r) => { r.body?.cancel(); return r.ok }, () => false)
        if (ok) break
        await new Promise((resolve) => setTimeout(resolve, 100))
      }

      const media = new MediaClient({ baseUrl, auth: { apiId: auth[1]!, password: auth[2]! } })
      const bytes = await photo()
      let sent = 0
      const file = await media.upload(bytes, { entityId: "DENO1|SKU-1|DAMAGED|D1", onProgress: (p) => { sent += p.bytes } })
      assert.equal(sent, bytes.byteLength)
      const ready = await media.waitUntilReady(file.file_id, { timeout: 60_000 })
      assert.equal(ready.status, "ready")
      assert.equal(ready.content_type, "image/jpeg")
      const thumbnail = await media.downloadBytes(ready, "thumbnail")
      assert.deepEqual([...thumbnail.subarray(0, 3)], [0xff, 0xd8, 0xff])
      const found: Array<string> = []
      for await (const f of media.search({ entityId: "DENO1" })) found.push(f.file_id)
      assert.deepEqual(found, [file.file_id])
      await media.delete(file.file_id)
      const error = await media.get(file.file_id).catch((e) => e)
      assert.ok(error instanceof MediaError)
      assert.equal(error.errorCode, "FILE_NOT_FOUND")
      assert.match(error.requestId ?? "", /^[0-9a-f-]{36}$/)
    } finally {
      child.kill("SIGTERM")
      await child.status
      await Deno.remove(dataDir, { recursive: true })
    }
  }
})
