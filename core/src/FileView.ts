/**
 * The file record as clients see it (SPEC §2). Fields that do not apply are
 * omitted; signed URLs appear only when the file is ready.
 */
import { Effect, Schema } from "effect"
import { EntityType } from "./EntityType.ts"
import { FailureReason, type FileRecord, VisibleStatus } from "./FileRecord.ts"
import type { MediaConfigShape } from "./MediaConfig.ts"
import type { SigningError, UrlSigner } from "./ports/UrlSigner.ts"

/**
 * The file as clients see it (SPEC §2; the OpenAPI schema `File`): times UNIX seconds, sizes bytes, fields
 * that do not apply omitted; download and thumbnail URLs only when `ready`.
 */
export const FileView = Schema.Struct({
  file_id: Schema.String,
  content_type: Schema.String,
  file_size: Schema.Int,
  entity_type: EntityType,
  entity_id: Schema.String,
  status: VisibleStatus,
  created_at: Schema.Int,
  updated_at: Schema.Int,
  download_url: Schema.optionalKey(Schema.String),
  download_expires_at: Schema.optionalKey(Schema.Int),
  thumbnail_url: Schema.optionalKey(Schema.String),
  thumbnail_expires_at: Schema.optionalKey(Schema.Int),
  width: Schema.optionalKey(Schema.Int),
  height: Schema.optionalKey(Schema.Int),
  failure_reason: Schema.optionalKey(FailureReason)
}).annotate({ identifier: "File" })
/** A decoded `FileView`. */
export type FileView = typeof FileView.Type

/** Renders a record clients may see; see `makeToView`. */
export type ToView = (
  record: FileRecord & { readonly status: VisibleStatus },
  now: number
) => Effect.Effect<FileView, SigningError>

/**
 * Renders a record clients may see (never a tombstone: see `isVisible`), signing the image and
 * thumbnail URLs of ready files with `signer.signDerivatives` (valid at least `config.downloadUrlTtlSeconds` from `now`, UNIX seconds,
 * rounded up to `downloadUrlGranularitySeconds`). Built once per service, called per file.
 */
export const makeToView = (signer: UrlSigner["Service"], config: MediaConfigShape): ToView =>
  Effect.fnUntraced(function*(record, now) {
    const base: FileView = {
      file_id: record.fileId,
      content_type: record.contentType,
      file_size: record.fileSize,
      entity_type: record.entityType,
      entity_id: record.entityId,
      status: record.status,
      created_at: record.createdAt,
      updated_at: record.updatedAt
    }
    if (record.status === "failed" && record.failureReason !== undefined) {
      return { ...base, failure_reason: record.failureReason }
    }
    if (record.status !== "ready" || record.width === undefined || record.height === undefined) return base
    const step = config.downloadUrlGranularitySeconds
    const expiresAt = Math.ceil((now + config.downloadUrlTtlSeconds) / step) * step
    // One call for both URLs: the signer may cover them with one signature (CloudFront: one policy).
    const urls = yield* signer.signDerivatives(
      { accountId: record.accountId, fileId: record.fileId, attempt: record.attempts },
      expiresAt
    )
    return {
      ...base,
      download_url: urls.image,
      download_expires_at: expiresAt,
      thumbnail_url: urls.thumbnail,
      thumbnail_expires_at: expiresAt,
      width: record.width,
      height: record.height
    }
  })
