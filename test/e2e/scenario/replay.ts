/**
 * SPEC §6: a pre-signed POST can be used again until it expires (as on S3).
 * Bytes posted again for a file that is already final, or deleted, are
 * accepted by storage and then deleted: no original (with its GPS) is kept.
 */
import { assert, type Vitest } from "@effect/vitest"
import { Effect } from "effect"
import sharp from "sharp"
import type { E2eServer } from "../../support/servers.ts"
import { del, get, objectKinds, postUpload, requestUpload, settled } from "../client.ts"

/** A small JPEG whose EXIF carries a GPS position: what must never stay in storage. */
const jpegWithGps = (shade: number) =>
  Effect.promise(() =>
    sharp({ create: { width: 64, height: 48, channels: 3, background: { r: shade, g: 90, b: 40 } } })
      .withExif({ IFD0: { Copyright: "owner" }, IFD3: { GPSLatitudeRef: "N", GPSLatitude: "59/1 20/1 0/1" } })
      .jpeg()
      .toBuffer()
  ).pipe(Effect.map((buffer) => new Uint8Array(buffer)))

export const replay = <R>(it: Vitest.MethodsNonLive<E2eServer | R>) => {
  it.effect("the same form posted again after the file is ready is accepted, and its original deleted", () =>
    Effect.gen(function*() {
      const ticket = yield* requestUpload("RP1|SKU-1|DAMAGED|D1")
      const first = yield* postUpload(ticket, yield* jpegWithGps(10), "image/jpeg")
      assert.strictEqual(first.status, 204, first.text)
      const file = yield* settled(ticket.file_id)
      assert.strictEqual(file.status, "ready", JSON.stringify(file))
      assert.deepStrictEqual(yield* objectKinds(ticket.file_id, ["images", "thumbnails"]), ["images", "thumbnails"])

      // Within its 15 minutes, storage accepts the form again (S3 does), with new bytes.
      const again = yield* postUpload(ticket, yield* jpegWithGps(200), "image/jpeg")
      assert.strictEqual(again.status, 204, again.text)
      assert.deepStrictEqual(yield* objectKinds(ticket.file_id, ["images", "thumbnails"]), ["images", "thumbnails"])
      // The file is unchanged for clients.
      const after = yield* get(`/v1/media/${ticket.file_id}`)
      assert.strictEqual(after.json.status, "ready")
      assert.strictEqual(after.json.updated_at, file.updated_at)
      assert.strictEqual(after.json.file_size, file.file_size)
    }))

  it.effect("the same form posted again after the file was deleted leaves nothing", () =>
    Effect.gen(function*() {
      const ticket = yield* requestUpload("RP2|SKU-1|DAMAGED|D1")
      assert.strictEqual((yield* postUpload(ticket, yield* jpegWithGps(10), "image/jpeg")).status, 204)
      yield* settled(ticket.file_id)
      assert.strictEqual((yield* del(`/v1/media/${ticket.file_id}`)).status, 204)
      const again = yield* postUpload(ticket, yield* jpegWithGps(200), "image/jpeg")
      assert.strictEqual(again.status, 204, again.text)
      assert.deepStrictEqual(yield* objectKinds(ticket.file_id, []), [])
      assert.strictEqual((yield* get(`/v1/media/${ticket.file_id}`)).status, 404)
    }))
}
