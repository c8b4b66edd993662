/**
 * Use case: issue a pre-signed upload target and create the `uploading` record.
 */
import { Effect, Result } from "effect"
import { isHeifFamily, uploadContentTypes, type UploadContentType } from "../ContentType.ts"
import { parseKey } from "../EntityKey.ts"
import { entityTypeNames, isEntityType } from "../EntityType.ts"
import type { FileRecord } from "../FileRecord.ts"
import type { AccountId, FileId } from "../Ids.ts"
import { MediaConfig } from "../MediaConfig.ts"
import { InvalidRequest, nowSeconds } from "../MediaErrors.ts"
import { originalKey } from "../ObjectKeys.ts"
import { FileIds } from "../ports/FileIds.ts"
import { FileRepository } from "../ports/FileRepository.ts"
import { ObjectStore } from "../ports/ObjectStore.ts"

export interface UploadRequest {
  readonly contentType: string
  readonly entityType: string
  readonly entityId: string
  readonly fileSize?: number | undefined
}

export interface UploadTicket {
  readonly file_id: FileId
  readonly upload_url: string
  readonly fields: Readonly<Record<string, string>>
  readonly expires_at: number
  readonly status: "uploading"
}

const invalid = (message: string) => Effect.fail(new InvalidRequest({ message }))

export const requestUpload = Effect.fn("RequestUpload")(function*(accountId: AccountId, request: UploadRequest) {
  const config = yield* MediaConfig
  if (isHeifFamily(request.contentType)) {
    return yield* invalid(
      `content_type ${request.contentType} is not accepted: convert HEIC/HEIF photos to JPEG on the device before uploading`
    )
  }
  if (!(uploadContentTypes as ReadonlyArray<string>).includes(request.contentType)) {
    return yield* invalid(`content_type must be one of ${uploadContentTypes.join(", ")}`)
  }
  const contentType = request.contentType as UploadContentType
  if (!isEntityType(request.entityType)) {
    return yield* invalid(`entity_type must be one of ${entityTypeNames.join(", ")}`)
  }
  const entityType = request.entityType
  const key = parseKey(entityType, request.entityId)
  if (Result.isFailure(key)) return yield* invalid(key.failure.message)
  const size = request.fileSize
  if (size !== undefined && (!Number.isSafeInteger(size) || size < 1 || size > config.maxUploadBytes)) {
    return yield* invalid(`file_size must be an integer from 1 to ${config.maxUploadBytes}`)
  }

  const now = yield* nowSeconds
  const fileId = yield* (yield* FileIds).next
  const expiresAt = now + config.uploadUrlTtlSeconds
  const target = yield* (yield* ObjectStore).presignUpload({
    key: originalKey(accountId, fileId),
    contentType,
    minBytes: size ?? 1,
    maxBytes: size ?? config.maxUploadBytes,
    expiresAt
  })
  const record: FileRecord = {
    fileId,
    accountId,
    entityType,
    entityId: key.success,
    contentType,
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
  yield* (yield* FileRepository).create(record)
  const ticket: UploadTicket = {
    file_id: fileId,
    upload_url: target.url,
    fields: target.fields,
    expires_at: expiresAt,
    status: "uploading"
  }
  return ticket
})
