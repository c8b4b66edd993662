/**
 * Steps shared by the use case tests: a clock set to a realistic time, an
 * upload that has reached storage, and the `MediaFiles` use cases called with
 * raw values as a client sends them, decoded as the HTTP edge decodes them
 * (core/test/usecases/MediaFiles.test.ts tests the service through its layer).
 */
import { Duration, Effect, Option, Schema } from "effect"
import { TestClock } from "effect/testing"
import { DeclaredContentType } from "../../src/ContentType.ts"
import { EntityType, entityTypeNames } from "../../src/EntityType.ts"
import { type AccountId, FileId } from "../../src/Ids.ts"
import { FileNotFound, InvalidRequest } from "../../src/MediaErrors.ts"
import { ObjectStore } from "../../src/ports/ObjectStore.ts"
import * as DeleteFile from "../../src/usecases/DeleteFile.ts"
import * as GetFile from "../../src/usecases/GetFile.ts"
import * as RequestUpload from "../../src/usecases/RequestUpload.ts"
import * as SearchFiles from "../../src/usecases/SearchFiles.ts"

const { allObjectKeys } = DeleteFile
const { PageLimit } = SearchFiles

/** Decodes a raw value as the edge does; a failure is `onError(message)`. */
const decode = <S extends Schema.Top & { readonly DecodingServices: never }, E>(
  schema: S,
  input: unknown,
  onError: (message: string) => E
): Effect.Effect<S["Type"], E> =>
  Schema.decodeUnknownEffect(schema)(input).pipe(Effect.mapError((error) => onError(error.message)))

const invalid = (message: string) => new InvalidRequest({ message })
const entityType = (raw: string) => decode(EntityType, raw, () => invalid(`entity_type must be one of ${entityTypeNames.join(", ")}`))
/** A path that is not a file id is an unknown file (apps/src/http/api/FileIdPath.ts). */
const fileId = (raw: string) => decode(FileId, raw, () => new FileNotFound({ fileId: raw }))

/** An upload request as a client sends it. */
export interface RawUploadRequest {
  readonly contentType: string
  readonly entityType: string
  readonly entityId: string
  readonly fileSize?: number
}

/** A search as a client sends it. */
export interface RawSearchRequest {
  readonly entityType: string
  readonly entityId: string
  readonly limit?: number | undefined
  readonly cursor?: string | undefined
}

/** `MediaFiles.requestUpload` on raw values. */
export const requestUpload = (accountId: AccountId, request: RawUploadRequest) =>
  Effect.gen(function*() {
    const contentType = yield* decode(DeclaredContentType, request.contentType, invalid)
    const type = yield* entityType(request.entityType)
    // Built at each call, from the ports in context then (a test may replace one for a while).
    const requestUpload = yield* RequestUpload.make
    return yield* requestUpload(accountId, { ...request, contentType, entityType: type })
  })

/** `MediaFiles.get` on a raw id. */
export const getFile = (accountId: AccountId, raw: string) =>
  Effect.flatMap(fileId(raw), (id) => Effect.flatMap(GetFile.make, (get) => get(accountId, id)))

/** `MediaFiles.delete` on a raw id. */
export const deleteFile = (accountId: AccountId, raw: string) =>
  Effect.flatMap(fileId(raw), (id) => Effect.flatMap(DeleteFile.make, (remove) => remove(accountId, id)))

/** `MediaFiles.search` on raw values. */
export const searchFiles = (accountId: AccountId, request: RawSearchRequest) =>
  Effect.gen(function*() {
    const type = yield* entityType(request.entityType)
    const limit = request.limit === undefined ? undefined : yield* decode(PageLimit, request.limit, invalid)
    const search = yield* SearchFiles.make
    return yield* search(accountId, { ...request, entityType: type, limit })
  })

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

