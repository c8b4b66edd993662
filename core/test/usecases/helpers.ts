/**
 * Steps shared by the use case tests: a clock set to a realistic time, and an
 * upload that has reached storage.
 */
import { Duration, Effect, Option } from "effect"
import { TestClock } from "effect/testing"
import type { AccountId, FileId } from "../../src/Ids.ts"
import { ObjectStore } from "../../src/ports/ObjectStore.ts"
import { allObjectKeys } from "../../src/usecases/DeleteFile.ts"
import { requestUpload } from "../../src/usecases/RequestUpload.ts"

export const start = 1_700_000_000

/** TestClock starts at 0; move it to `start` seconds so timestamps look real. */
export const atStart = TestClock.adjust(Duration.seconds(start))

export const advance = (seconds: number) => TestClock.adjust(Duration.seconds(seconds))

export const upload = (accountId: AccountId, entityId = "S1|SKU-001|DAMAGED|D1", contentType = "image/png") =>
  requestUpload(accountId, { contentType, entityType: "shipment_item", entityId })

/** Requests an upload and stores `bytes` as storage would after accepting the POST. */
export const uploaded = (accountId: AccountId, bytes: Uint8Array, entityId?: string) =>
  Effect.gen(function*() {
    const ticket = yield* upload(accountId, entityId)
    const key = ticket.fields["key"]!
    yield* (yield* ObjectStore).put(key, bytes, "image/png")
    return { ticket, key, fileId: ticket.file_id }
  })

/** Keys of the file that still hold an object. */
export const leftovers = (accountId: AccountId, fileId: FileId) =>
  Effect.gen(function*() {
    const store = yield* ObjectStore
    const present = yield* Effect.forEach(allObjectKeys(accountId, fileId), (k) => Effect.map(store.head(k), Option.map(() => k)))
    return present.flatMap(Option.toArray)
  })

