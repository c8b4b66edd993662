/**
 * Issue 8.1: an upload cut off by a killed server leaves its raw bytes in a
 * temp file next to where the original would be; the next start removes it.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs"
import { request } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type ChildServer, crash, freePort, killAll, startServer } from "./support/ChildServer.ts"

afterAll(killAll)

const account = "10020"
const token = "dead-uploads-test-token-7a2f"

const ticketFor = (server: ChildServer) =>
  Effect.promise(async () => {
    const response = await fetch(`${server.url}/v1/media/upload-url`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ content_type: "image/jpeg", entity_type: "shipment_item", entity_id: "DEAD|SKU|DAMAGED|D1" })
    })
    assert.strictEqual(response.status, 200)
    return (await response.json()) as { file_id: string; upload_url: string; fields: Record<string, string> }
  })

/**
 * Starts a multipart POST of the form and `bytes` of the file, then stalls, as a slow client
 * would; the request is left open (the server is killed under it). Returns a way to abort it.
 */
const stalledUpload = (url: string, fields: Record<string, string>, bytes: number) =>
  Effect.sync(() => {
    const boundary = "----stalled-upload-boundary"
    const head = Object.entries(fields)
      .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
      .join("") +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`
    const outgoing = request(url, {
      method: "POST",
      agent: false,
      headers: { "content-type": `multipart/form-data; boundary=${boundary}`, "transfer-encoding": "chunked" }
    })
    outgoing.on("error", () => {}) // the server dies under it
    outgoing.write(head)
    outgoing.write(Buffer.alloc(bytes, 0xab))
    return () => outgoing.destroy()
  })

const tempsIn = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith(".tmp")) : [])

describe("temp files of dead uploads", () => {
  it.live("a server killed mid-upload leaves the upload's temp file, and the next start removes it", () =>
    Effect.gen(function*() {
      const dataDir = yield* Effect.acquireRelease(
        Effect.sync(() => mkdtempSync(join(tmpdir(), "media-dead-uploads-"))),
        (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
      )
      const authFile = join(dataDir, "test-credentials.json")
      writeFileSync(authFile, JSON.stringify({ credentials: [{ account_id: account, token, permissions: ["media:read", "media:write"] }] }))
      const port = yield* freePort
      const env = { MEDIA_DATA_DIR: dataDir, MEDIA_AUTH_FILE: authFile, MEDIA_PUBLIC_URL: `http://127.0.0.1:${port}`, MEDIA_HTTP_LOG: "false" }
      const originals = join(dataDir, "objects", "originals", account)

      const first = yield* Effect.acquireRelease(startServer(port, env), crash)
      const ticket = yield* ticketFor(first)
      const abort = yield* Effect.acquireRelease(stalledUpload(ticket.upload_url, ticket.fields, 256 * 1024), (abort) => Effect.sync(abort))
      // Bounded: the bytes sent so far reach the temp file.
      const written = () => tempsIn(originals).some((name) => statSync(join(originals, name)).size > 0)
      for (let poll = 0; poll < 100 && !written(); poll++) yield* Effect.sleep(Duration.millis(100))
      assert.isTrue(written(), `no temp file of the upload under ${originals}: ${tempsIn(originals)}`)
      yield* crash(first)
      abort()
      const left = tempsIn(originals)
      assert.strictEqual(left.length, 1, `the kill should leave the temp file: ${left}`)
      assert.include(left[0], ticket.file_id)

      const second = yield* Effect.acquireRelease(startServer(port, env), crash)
      // Removed before the server listens: nothing to wait for.
      assert.deepStrictEqual(tempsIn(originals), [], second.output())
      // The file itself is still waiting for its upload, which can be retried.
      const response = yield* Effect.promise(() =>
        fetch(`${second.url}/v1/media/${ticket.file_id}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json())
      )
      assert.strictEqual((response as { status?: string }).status, "uploading")
    }).pipe(Effect.scoped), 120_000)
})
