/**
 * The stored file record: what the repository persists, in every status.
 * The API shape (FileView) is derived from it.
 */
import { Schema } from "effect"
import { AccountId, FileId } from "./Ids.ts"
import { EntityType } from "./EntityType.ts"
import { EntityKey } from "./EntityKey.ts"

export const fileStatuses = ["uploading", "uploaded", "processing", "ready", "failed"] as const
export const FileStatus = Schema.Literals(fileStatuses)
export type FileStatus = typeof FileStatus.Type

export const failureReasons = [
  "unsupported_format",
  "corrupt_image",
  "too_many_pixels",
  "too_large",
  "upload_expired",
  "processing_error"
] as const
export const FailureReason = Schema.Literals(failureReasons)
export type FailureReason = typeof FailureReason.Type

const UnixSeconds = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
const Count = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

export const FileRecord = Schema.Struct({
  fileId: FileId,
  accountId: AccountId,
  entityType: EntityType,
  entityId: EntityKey,
  /** Declared type until ready, then `image/jpeg`. */
  contentType: Schema.String,
  status: FileStatus,
  /** 0 until the upload arrives; uploaded size; processed JPEG size once ready. */
  fileSize: Count,
  createdAt: UnixSeconds,
  updatedAt: UnixSeconds,
  /** Optimistic-concurrency version: every state change is conditional on it. */
  version: Count,
  /** Processing attempts started so far; the winning attempt names the derivatives. */
  attempts: Count,
  /** When the pre-signed upload target stops being accepted. */
  uploadExpiresAt: UnixSeconds,
  /** Exact size the upload policy admits, when the client declared one. */
  declaredSize: Schema.optionalKey(Count),
  /** While processing: when the current attempt's lease runs out. */
  leaseExpiresAt: Schema.optionalKey(UnixSeconds),
  /** When a sweeper should look at this file again (expiry, lost event, lease); absent once final. */
  dueAt: Schema.optionalKey(UnixSeconds),
  width: Schema.optionalKey(Count),
  height: Schema.optionalKey(Count),
  failureReason: Schema.optionalKey(FailureReason)
})
export type FileRecord = typeof FileRecord.Type

export const isFinal = (status: FileStatus): boolean => status === "ready" || status === "failed"
