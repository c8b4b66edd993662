/**
 * The stored file record: what the repository persists, in every status.
 * The API shape (FileView) is derived from it.
 */
import { Schema } from "effect"
import { AccountId, FileId } from "./Ids.ts"
import { EntityType } from "./EntityType.ts"
import { EntityKey } from "./EntityKey.ts"

/** The statuses clients see (SPEC §2). */
export const visibleStatuses = ["uploading", "uploaded", "processing", "ready", "failed"] as const
export const VisibleStatus = Schema.Literals(visibleStatuses)
export type VisibleStatus = typeof VisibleStatus.Type

/**
 * Every stored status: the visible ones plus `deleting`, the tombstone a DELETE leaves until every
 * object of the file is gone. Clients never see it: a tombstoned file is 404 and not listed.
 */
export const fileStatuses = [...visibleStatuses, "deleting"] as const
export const FileStatus = Schema.Literals(fileStatuses)
export type FileStatus = typeof FileStatus.Type

export const failureReasons = [
  "unsupported_format",
  "corrupt_image",
  "too_many_pixels",
  "too_large",
  "size_mismatch",
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
  /**
   * Processing attempts of the image work so far; the winning attempt names the derivatives. An attempt
   * cut short by an unavailable store or database is given back (see `deferrals`).
   */
  attempts: Count,
  /**
   * Consecutive times processing was put off because the object store or database was unavailable:
   * the exponent of the back-off. Absent when 0.
   */
  deferrals: Schema.optionalKey(Count),
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

/** A record clients may see: anything but a tombstone. */
export const isVisible = (record: FileRecord): record is FileRecord & { readonly status: VisibleStatus } =>
  record.status !== "deleting"
