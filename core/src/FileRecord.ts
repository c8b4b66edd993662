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
/** Schema of a status clients see. */
export const VisibleStatus = Schema.Literals(visibleStatuses)
/** One of `visibleStatuses`. */
export type VisibleStatus = typeof VisibleStatus.Type

/**
 * Every stored status: the visible ones plus `deleting`, the tombstone a DELETE leaves until every
 * object of the file is gone. Clients never see it: a tombstoned file is 404 and not listed.
 */
export const fileStatuses = [...visibleStatuses, "deleting"] as const
/** Schema of a stored status. */
export const FileStatus = Schema.Literals(fileStatuses)
/** One of `fileStatuses`. */
export type FileStatus = typeof FileStatus.Type

/** Why a file failed: the `failure_reason` codes of SPEC §6. */
export const failureReasons = [
  "unsupported_format",
  "corrupt_image",
  "too_many_pixels",
  "too_large",
  "size_mismatch",
  "upload_expired",
  "processing_error"
] as const
/** Schema of one of `failureReasons`. */
export const FailureReason = Schema.Literals(failureReasons)
/** One of `failureReasons`. */
export type FailureReason = typeof FailureReason.Type

const UnixSeconds = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
const Count = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

/**
 * The stored record of one file (SPEC §2 in camelCase, plus what processing needs): times are UNIX
 * seconds, sizes bytes. Every change goes through `FileState.apply` and a conditional write on `version`.
 */
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
/** A decoded `FileRecord`. */
export type FileRecord = typeof FileRecord.Type

/** Whether a status is final (`ready` or `failed`, SPEC §6): only clean-up and deletion move such a file on. */
export const isFinal = (status: FileStatus): boolean => status === "ready" || status === "failed"

/** A record clients may see: anything but a tombstone. */
export const isVisible = (record: FileRecord): record is FileRecord & { readonly status: VisibleStatus } =>
  record.status !== "deleting"
