/**
 * Use case: issue a pre-signed upload target and create the `uploading` record.
 */
import { Effect, Option, Result } from "effect"
import type { UploadContentType } from "../ContentType.ts"
import { parseKey } from "../EntityKey.ts"
import type { EntityType } from "../EntityType.ts"
import type { FileRecord } from "../FileRecord.ts"
import type { AccountId, FileId } from "../Ids.ts"
import { MediaConfig } from "../MediaConfig.ts"
import { InvalidRequest } from "../MediaErrors.ts"
import { nowSeconds } from "../nowSeconds.ts"
import { originalKey } from "../ObjectKeys.ts"
import { FileIds } from "../ports/FileIds.ts"
import { FileRepository, type RepositoryError, type WriteConflict } from "../ports/FileRepository.ts"
import { ObjectStore, type StorageError } from "../ports/ObjectStore.ts"
import { KnownRecords } from "./KnownRecords.ts"

/** An upload request as decoded at the edge (SPEC §3 `POST /v1/media/upload-url`). */
export interface UploadRequest {
  readonly contentType: UploadContentType
  readonly entityType: EntityType
  /** Checked here: it must be a full key of `entityType` (SPEC §4). */
  readonly entityId: string
  /** Bytes; checked here against the configured maximum upload size. */
  readonly fileSize?: number | undefined
}

/** The response of `upload-url`: a pre-signed S3 POST for the file's original. */
export interface UploadTicket {
  readonly file_id: FileId
  readonly upload_url: string
  readonly fields: Readonly<Record<string, string>>
  /** UNIX seconds. */
  readonly expires_at: number
  readonly status: "uploading"
}

/**
 * Signs an upload target for the exact original key and creates the `uploading` record. Fails
 * `InvalidRequest` for an entity id that is not a full key or a `file_size` outside 1..max.
 */
export type RequestUpload = (
  accountId: AccountId,
  request: UploadRequest
) => Effect.Effect<UploadTicket, InvalidRequest | StorageError | RepositoryError | WriteConflict>

/** Builds `RequestUpload` from the ports in context, resolved once. */
export const make: Effect.Effect<RequestUpload, never, FileRepository | ObjectStore | FileIds> = Effect.gen(function*() {
  const config = yield* MediaConfig
  const ids = yield* FileIds
  const store = yield* ObjectStore
  const repo = yield* FileRepository
  // Where the app hands records from step to step (embedded: the upload arrives in this process).
  const known = yield* Effect.serviceOption(KnownRecords)
  return Effect.fn("MediaFiles.requestUpload")(function*(accountId: AccountId, request: UploadRequest) {
    const key = parseKey(request.entityType, request.entityId)
    if (Result.isFailure(key)) return yield* new InvalidRequest({ message: key.failure.message })
    const size = request.fileSize
    if (size !== undefined && (!Number.isSafeInteger(size) || size < 1 || size > config.maxUploadBytes)) {
      return yield* new InvalidRequest({ message: `file_size must be an integer from 1 to ${config.maxUploadBytes}` })
    }

    const now = yield* nowSeconds
    const fileId = yield* ids.next
    const expiresAt = now + config.uploadUrlTtlSeconds
    const target = yield* store.presignUpload({
      key: originalKey(accountId, fileId),
      contentType: request.contentType,
      minBytes: size ?? 1,
      maxBytes: size ?? config.maxUploadBytes,
      expiresAt
    })
    const record: FileRecord = {
      fileId,
      accountId,
      entityType: request.entityType,
      entityId: key.success,
      contentType: request.contentType,
      status: "uploading",
      fileSize: 0,
      createdAt: now,
      updatedAt: now,
      version: 0,
      attempts: 0,
      uploadExpiresAt: expiresAt,
      dueAt: expiresAt + config.uploadGraceSeconds,
      ...(size === undefined ? {} : { declaredSize: size })
    }
    yield* repo.create(record)
    if (Option.isSome(known)) yield* known.value.put(record)
    const ticket: UploadTicket = {
      file_id: fileId,
      upload_url: target.url,
      fields: target.fields,
      expires_at: expiresAt,
      status: "uploading"
    }
    return ticket
  })
})
