import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { defaultMediaConfig } from "../../src/MediaConfig.ts"
import { layerMemory } from "../../src/memory/layerMemory.ts"
import { originalKey } from "../../src/ObjectKeys.ts"
import { FileRepository } from "../../src/ports/FileRepository.ts"

import { freshAccount } from "../fixtures.ts"
import { atStart, requestUpload, start, type RawUploadRequest } from "./helpers.ts"

const valid: RawUploadRequest = { contentType: "image/jpeg", entityType: "shipment_item", entityId: "1RT823V93|SKU-001|DAMAGED|7" }
const account = freshAccount()
const rejection = (request: Partial<RawUploadRequest>) =>
  Effect.flip(requestUpload(account, { ...valid, ...request })).pipe(Effect.map((e) => {
    assert.strictEqual(e._tag, "InvalidRequest")
    return e._tag === "InvalidRequest" ? e.message : ""
  }))

describe("RequestUpload", () => {
  it.effect("creates an uploading record and a 15-minute target for the exact original key", () =>
    Effect.gen(function*() {
      yield* atStart
      const ticket = yield* requestUpload(account, valid)
      assert.strictEqual(ticket.status, "uploading")
      assert.strictEqual(ticket.expires_at, start + 15 * 60)
      assert.strictEqual(ticket.fields["key"], originalKey(account, ticket.file_id))
      assert.strictEqual(ticket.fields["Content-Type"], "image/jpeg")
      const record = Option.getOrThrow(yield* (yield* FileRepository).get(account, ticket.file_id))
      assert.strictEqual(record.status, "uploading")
      assert.strictEqual(record.fileSize, 0)
      assert.strictEqual(record.createdAt, start)
      assert.strictEqual(record.entityId, valid.entityId)
      assert.strictEqual(record.uploadExpiresAt, start + 15 * 60)
      assert.strictEqual(record.dueAt, start + 15 * 60 + defaultMediaConfig.uploadGraceSeconds)
      assert.isUndefined(record.declaredSize)
    }).pipe(Effect.provide(layerMemory())))

  it.effect("refuses HEIC and HEIF with advice to convert to JPEG on the device", () =>
    Effect.gen(function*() {
      for (const contentType of ["image/heic", "image/heif", "IMAGE/HEIC"]) {
        const message = yield* rejection({ contentType })
        assert.match(message, /convert/)
        assert.match(message, /JPEG/)
      }
    }).pipe(Effect.provide(layerMemory())))

  it.effect("refuses content types outside jpeg, png, webp and gif", () =>
    Effect.gen(function*() {
      for (const contentType of ["image/bmp", "application/pdf", "image/svg+xml", "", "image/JPEG "]) {
        assert.match(yield* rejection({ contentType }), /image\/jpeg, image\/png, image\/webp, image\/gif/)
      }
    }).pipe(Effect.provide(layerMemory())))

  it.effect("refuses an unknown entity type", () =>
    Effect.gen(function*() {
      assert.match(yield* rejection({ entityType: "order" }), /entity_type/)
    }).pipe(Effect.provide(layerMemory())))

  it.effect("refuses entity ids that are not full, valid four-part keys", () =>
    Effect.gen(function*() {
      for (const entityId of ["1RT823V93", "1RT823V93|SKU|R", "S|K|R|D|E", "S||R|D", "S|K|R|D|", "S|K\u0007|R|D", "S|" + "x".repeat(129) + "|R|D"]) {
        yield* rejection({ entityId })
      }
    }).pipe(Effect.provide(layerMemory())))

  it.effect("accepts file_size from 1 to the maximum and pins the policy to exactly that size", () =>
    Effect.gen(function*() {
      for (const fileSize of [1, defaultMediaConfig.maxUploadBytes]) {
        const ticket = yield* requestUpload(account, { ...valid, fileSize })
        const record = Option.getOrThrow(yield* (yield* FileRepository).get(account, ticket.file_id))
        assert.strictEqual(record.declaredSize, fileSize)
        const policy = JSON.parse(ticket.fields["policy"]!) as { min: number; max: number }
        assert.deepStrictEqual([policy.min, policy.max], [fileSize, fileSize])
      }
    }).pipe(Effect.provide(layerMemory())))

  it.effect("refuses file_size of 0, negative, fractional or above the maximum", () =>
    Effect.gen(function*() {
      for (const fileSize of [0, -1, 1.5, defaultMediaConfig.maxUploadBytes + 1, Number.NaN]) {
        assert.match(yield* rejection({ fileSize }), /file_size/)
      }
    }).pipe(Effect.provide(layerMemory())))

  it.effect("creates nothing when the request is refused", () =>
    Effect.gen(function*() {
      yield* rejection({ contentType: "image/heic" })
      yield* rejection({ fileSize: 0 })
      assert.deepStrictEqual(yield* (yield* FileRepository).listDue(Number.MAX_SAFE_INTEGER, 100), [])
    }).pipe(Effect.provide(layerMemory())))
})
