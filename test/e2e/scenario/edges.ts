/**
 * Edges of the life of a file that only show with every part wired: the size
 * cap on a real wide image, and an upload that lands after its file was deleted.
 */
import { assert, type Vitest } from "@effect/vitest"
import { Effect } from "effect"
import sharp from "sharp"
import type { E2eServer } from "../../support/servers.ts"
import { del, fetchUrl, get, objectKinds, postUpload, requestUpload, settled, upload } from "../client.ts"

/** A flat-coloured JPEG: cheap to make and small to send, however many pixels. */
const wideJpeg = (width: number, height: number) =>
  Effect.promise(() =>
    sharp({ create: { width, height, channels: 3, background: { r: 200, g: 40, b: 40 } } }).jpeg().toBuffer()
  ).pipe(Effect.map((buffer) => new Uint8Array(buffer)))

export const edges = <R>(it: Vitest.MethodsNonLive<E2eServer | R>) => {
  it.effect("an image wider than 4096 px is scaled down to 4096, keeping its aspect", () =>
    Effect.gen(function*() {
      const fileId = yield* upload("ED1|SKU-1|DAMAGED|D1", yield* wideJpeg(5000, 400))
      const file = yield* settled(fileId)
      assert.strictEqual(file.status, "ready", JSON.stringify(file))
      assert.strictEqual(file.width, 4096)
      assert.approximately(file.height, 328, 1)
      const image = yield* fetchUrl(file.download_url)
      const meta = yield* Effect.promise(() => sharp(image.bytes).metadata())
      assert.strictEqual(meta.width, 4096)
      assert.strictEqual(meta.height, file.height)
      const thumbnail = yield* fetchUrl(file.thumbnail_url)
      const thumbMeta = yield* Effect.promise(() => sharp(thumbnail.bytes).metadata())
      assert.deepStrictEqual([thumbMeta.width, thumbMeta.height], [256, 256])
    }))

  it.effect("an upload that arrives after its file was deleted leaves nothing behind", () =>
    Effect.gen(function*() {
      const ticket = yield* requestUpload("ED2|SKU-1|DAMAGED|D1", "image/jpeg")
      assert.strictEqual((yield* del(`/v1/media/${ticket.file_id}`)).status, 204)
      // The target is still within its 15 minutes, so storage takes the bytes.
      const stored = yield* postUpload(ticket, yield* wideJpeg(64, 64), "image/jpeg")
      assert.strictEqual(stored.status, 204, stored.text)
      // Processing finds no record and removes the orphaned original.
      assert.deepStrictEqual(yield* objectKinds(ticket.file_id, []), [])
      assert.strictEqual((yield* get(`/v1/media/${ticket.file_id}`)).status, 404)
    }))
}
