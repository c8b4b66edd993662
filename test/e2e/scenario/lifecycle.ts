/**
 * The life of a file over real HTTP: upload target, POST of real image bytes
 * straight to storage, processing, signed downloads, failures and deletion.
 */
import { assert, type Vitest } from "@effect/vitest"
import { Effect } from "effect"
import sharp from "sharp"
import { auth, type E2eServer } from "../../support/servers.ts"
import { del, fetchUrl, fixture, get, objectKinds, requestUpload, settled, upload } from "../client.ts"

const isJpeg = (bytes: Uint8Array) => bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff

const metadataOf = (bytes: Uint8Array) => Effect.promise(() => sharp(bytes).metadata())

/** Downloads a signed URL and checks it is a metadata-free JPEG; its sharp metadata. */
const downloadJpeg = (url: string) =>
  Effect.gen(function*() {
    const reply = yield* fetchUrl(url)
    assert.strictEqual(reply.status, 200, reply.text)
    assert.strictEqual(reply.headers.get("content-type"), "image/jpeg")
    assert.isTrue(isJpeg(reply.bytes), "JPEG magic number")
    const meta = yield* metadataOf(reply.bytes)
    assert.strictEqual(meta.format, "jpeg")
    assert.isUndefined(meta.exif, "no EXIF")
    assert.isUndefined(meta.icc, "no ICC profile")
    assert.isUndefined(meta.xmp, "no XMP")
    assert.isUndefined(meta.iptc, "no IPTC")
    assert.isUndefined(meta.orientation, "no orientation tag")
    return { bytes: reply.bytes, meta }
  })

export const lifecycle = <R>(it: Vitest.MethodsNonLive<E2eServer | R>) => {
  it.effect("an uploaded photo becomes ready: upright, capped, metadata-free JPEG and a 256x256 thumbnail", () =>
    Effect.gen(function*() {
      // EXIF orientation 6: stored 1200x1800 sideways, 1800x1200 once turned upright.
      const fileId = yield* upload("LC1|SKU-1|DAMAGED|D1", fixture("orientation/Landscape_6.jpg"))
      const file = yield* settled(fileId)
      assert.strictEqual(file.status, "ready", JSON.stringify(file))
      assert.strictEqual(file.content_type, "image/jpeg")
      assert.strictEqual(file.width, 1800)
      assert.strictEqual(file.height, 1200)
      assert.isUndefined(file.failure_reason)
      const now = Math.floor(Date.now() / 1000)
      assert.approximately(file.download_expires_at, now + 3600, 60)
      assert.approximately(file.thumbnail_expires_at, now + 3600, 60)

      const image = yield* downloadJpeg(file.download_url)
      assert.strictEqual(image.meta.width, 1800)
      assert.strictEqual(image.meta.height, 1200)
      assert.isAtMost(Math.max(image.meta.width ?? 0, image.meta.height ?? 0), 4096)
      assert.strictEqual(file.file_size, image.bytes.length)
      const thumbnail = yield* downloadJpeg(file.thumbnail_url)
      assert.strictEqual(thumbnail.meta.width, 256)
      assert.strictEqual(thumbnail.meta.height, 256)

      // The original (which carried the EXIF) is gone; the image and thumbnail remain.
      assert.deepStrictEqual(yield* objectKinds(fileId, ["images", "thumbnails"]), ["images", "thumbnails"])
    }))

  it.effect("a transparent PNG is flattened into a ready JPEG", () =>
    Effect.gen(function*() {
      const fileId = yield* upload("LC2|SKU-1|DAMAGED|D1", fixture("tricky/with-alpha.png"), "image/png")
      const file = yield* settled(fileId)
      assert.strictEqual(file.status, "ready", JSON.stringify(file))
      const image = yield* downloadJpeg(file.download_url)
      assert.strictEqual(image.meta.channels, 3)
      assert.strictEqual(image.meta.width, file.width)
    }))

  it.effect("bytes that are not a supported image fail with a reason, without URLs or objects", () =>
    Effect.gen(function*() {
      const cases = [
        // Declared as PNG, but the bytes decide.
        { path: "tricky/circle.svg", type: "image/png", reason: "unsupported_format" },
        { path: "tricky/truncated.jpg", type: "image/jpeg", reason: "corrupt_image" }
      ]
      for (const c of cases) {
        const fileId = yield* upload(`LC3|SKU-1|WRONG|${c.reason}`, fixture(c.path), c.type)
        const file = yield* settled(fileId)
        assert.strictEqual(file.status, "failed", JSON.stringify(file))
        assert.strictEqual(file.failure_reason, c.reason)
        for (const absent of ["download_url", "thumbnail_url", "download_expires_at", "thumbnail_expires_at", "width", "height"]) {
          assert.notProperty(file, absent)
        }
        assert.deepStrictEqual(yield* objectKinds(fileId, []), [], "the original is deleted once failed")
      }
    }))

  it.effect("delete removes the record and every object; then 404", () =>
    Effect.gen(function*() {
      const fileId = yield* upload("LC4|SKU-1|DAMAGED|D1", fixture("tricky/with-alpha.png"), "image/png")
      const file = yield* settled(fileId)
      assert.strictEqual(file.status, "ready")
      assert.deepStrictEqual(yield* objectKinds(fileId, ["images", "thumbnails"]), ["images", "thumbnails"])

      const deleted = yield* del(`/v1/media/${fileId}`)
      assert.strictEqual(deleted.status, 204)
      assert.strictEqual(deleted.text, "")
      assert.strictEqual((yield* get(`/v1/media/${fileId}`)).status, 404)
      assert.strictEqual((yield* del(`/v1/media/${fileId}`)).status, 404)
      // Immediately: delete answers only once every object is gone.
      assert.deepStrictEqual(yield* objectKinds(fileId, [], 0), [])
      // The signed URLs handed out before now lead nowhere.
      assert.strictEqual((yield* fetchUrl(file.download_url)).status, 403)
    }))

  it.effect("a file still uploading can be deleted, by Basic credentials too", () =>
    Effect.gen(function*() {
      const ticket = yield* requestUpload("LC5|SKU-1|DAMAGED|D1", "image/jpeg", auth.basicA)
      assert.strictEqual((yield* del(`/v1/media/${ticket.file_id}`, auth.basicA)).status, 204)
      assert.strictEqual((yield* get(`/v1/media/${ticket.file_id}`, auth.basicA)).status, 404)
    }))
}
