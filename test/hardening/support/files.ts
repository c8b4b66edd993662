/**
 * Builders shared by the hardening suites: fresh accounts, originals the memory
 * processor understands, and the keys a file owns.
 */
import { Effect, Option } from "effect"
import type { AccountId, FileId } from "@media-object-storage/core/Ids"
import { ObjectStore } from "@media-object-storage/core/ports/ObjectStore"
import { FileRepository } from "@media-object-storage/core/ports/FileRepository"

import { presentUnder } from "./RecordingStore.ts"
import { requestUpload } from "../../../core/test/usecases/helpers.ts"

/** A fresh account per run, so runs can share one table and one store. */
export const freshAccount = (): AccountId => `hard-${globalThis.crypto.randomUUID().slice(0, 18)}` as AccountId

/** A PNG signature and IHDR-shaped header declaring `width` x `height`: enough for the memory processor. */
export const pngHeader = (width: number, height: number, length = 32): Uint8Array => {
  const bytes = new Uint8Array(Math.max(length, 24))
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])
  const view = new DataView(bytes.buffer)
  view.setUint32(16, width)
  view.setUint32(20, height)
  return bytes
}

/** Requests an upload and stores `bytes` under its key, as storage would after accepting the POST. */
export const uploadedFile = (accountId: AccountId, bytes: Uint8Array, entityId = "S1|SKU-1|DAMAGED|D1") =>
  Effect.gen(function*() {
    const ticket = yield* requestUpload(accountId, {
      contentType: "image/png",
      entityType: "shipment_item",
      entityId
    })
    const key = ticket.fields["key"]!
    yield* (yield* ObjectStore).put(key, bytes, "image/png")
    return { fileId: ticket.file_id, key, size: bytes.length }
  })

export const recordOf = (accountId: AccountId, fileId: FileId) =>
  FileRepository.use((repo) => repo.get(accountId, fileId)).pipe(Effect.map(Option.getOrUndefined))

/** Every object of the file still present (original, images, thumbnails), sorted. */
export const objectsOf = (accountId: AccountId, fileId: FileId) =>
  Effect.map(
    Effect.all([
      presentUnder(`originals/${accountId}/${fileId}`),
      presentUnder(`images/${accountId}/${fileId}/`),
      presentUnder(`thumbnails/${accountId}/${fileId}/`)
    ]),
    (groups) => groups.flat().sort()
  )
