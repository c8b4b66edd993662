/**
 * The SDK runs on Deno: loads `clients/src/index.ts` and uploads through Deno's
 * own fetch (a streamed request body, `duplex: "half"`) to a stub of the API
 * and of storage served by `Deno.serve` on loopback. The stub checks the form
 * as S3 would read it: every field in order, then `file` with a filename.
 * (The full flow against the real server is covered under Node and Chromium.)
 */
import assert from "node:assert/strict"
import { MediaClient, MediaError } from "../../src/index.ts"
import { uploadFormParts } from "../../src/UploadForm.ts"

declare const Deno: any

const fields = { key: "originals/10020/f-1", "Content-Type": "image/jpeg", Policy: "cG9saWN5", "X-Amz-Signature": "abc" }

const photo = new Uint8Array(200_000).map((_, i) => (i * 31) % 256)
photo.set([0xff, 0xd8, 0xff, 0xe0], 0)

Deno.test("the upload form: fields in order, the file last as `file` with a filename", () => {
  const parts = uploadFormParts(fields, { filename: "a.jpg", contentType: "image/jpeg" }, "BOUNDARY")
  const head = new TextDecoder().decode(parts.head)
  const names = [...head.matchAll(/; name="([^"]+)"/g)].map((m) => m[1])
  assert.deepEqual(names, ["key", "Content-Type", "Policy", "X-Amz-Signature", "file"])
  assert.match(head, /name="file"; filename="a.jpg"\r\nContent-Type: image\/jpeg\r\n\r\n$/)
  assert.equal(new TextDecoder().decode(parts.tail), "\r\n--BOUNDARY--\r\n")
  assert.equal(parts.contentType, "multipart/form-data; boundary=BOUNDARY")
})

Deno.test({
  name: "MediaClient uploads with Deno's fetch, reports progress, retries a 503 and maps API errors",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const seen: Array<string> = []
    let storagePosts = 0
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => undefined }, async (request: Request) => {
      const url = new URL(request.url)
      seen.push(`${request.method} ${url.pathname}`)
      if (url.pathname === "/v1/media/upload-url") {
        assert.equal(request.headers.get("authorization"), "Bearer t0k3n")
        const body = await request.json()
        assert.deepEqual(body, { content_type: "image/jpeg", entity_type: "shipment_item", entity_id: "S|K|R|D", file_size: photo.byteLength })
        return Response.json({ file_id: "f-1", upload_url: `${url.origin}/storage`, fields, expires_at: Math.floor(Date.now() / 1000) + 900, status: "uploading" })
      }
      if (url.pathname === "/storage") {
        storagePosts += 1
        const form = await request.formData()
        assert.deepEqual([...form.keys()], [...Object.keys(fields), "file"])
        const file = form.get("file") as File
        assert.equal(file.name, "upload.jpg")
        assert.deepEqual(new Uint8Array(await file.arrayBuffer()), photo)
        if (storagePosts === 1) return new Response("<Error><Code>InternalError</Code></Error>", { status: 503 })
        return new Response(null, { status: 204 })
      }
      if (url.pathname === "/v1/media/f-1") {
        return Response.json({ file_id: "f-1", content_type: "image/jpeg", file_size: photo.byteLength, entity_type: "shipment_item", entity_id: "S|K|R|D", status: "uploaded", created_at: 1, updated_at: 1 })
      }
      return Response.json({ error_code: "FILE_NOT_FOUND", error_data: { message: "file not found" }, request_id: "req-42" }, { status: 404, headers: { "x-request-id": "req-42" } })
    })
    try {
      const media = new MediaClient({ baseUrl: `http://127.0.0.1:${server.addr.port}`, auth: { token: "t0k3n" }, retry: { baseDelayMs: 1 } })
      const progress: Array<number> = []
      const file = await media.upload(photo, { entityId: "S|K|R|D", onProgress: (p) => progress.push(p.bytes) })
      assert.equal(file.status, "uploaded")
      assert.equal(storagePosts, 2)
      assert.equal(progress.reduce((a, b) => a + b, 0), photo.byteLength * 2, "two attempts, each the whole file")
      const error = await media.get("nope").catch((e) => e)
      assert.ok(error instanceof MediaError)
      assert.equal(error.errorCode, "FILE_NOT_FOUND")
      assert.equal(error.requestId, "req-42")
      assert.deepEqual(seen, ["POST /v1/media/upload-url", "POST /storage", "POST /storage", "GET /v1/media/f-1", "GET /v1/media/nope"])
    } finally {
      await server.shutdown()
    }
  }
})
