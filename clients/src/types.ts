/**
 * The wire shapes of the API (SPEC §2, §3), taken from the HttpApi contract's
 * schemas as types only, so the plain client carries no schema code at run time.
 */
import type { FileView } from "@media-object-storage/core/FileView"
import type { SearchResult, UploadTicket as UploadTicketSchema } from "@media-object-storage/api/MediaGroup"
import type { ErrorBody } from "@media-object-storage/api/ApiErrors"

/**
 * A file record as the API returns it (SPEC §2): `file_id`, `content_type`,
 * `file_size` (bytes), `entity_type`, `entity_id`, `status`, `created_at` /
 * `updated_at` (UNIX seconds); `download_url`, `thumbnail_url` (signed, 1 hour),
 * their `*_expires_at` (UNIX seconds), `width`, `height` only when `ready`;
 * `failure_reason` only when `failed`. Fields that do not apply are absent.
 */
export type MediaFile = FileView

/** `uploading` · `uploaded` · `processing` · `ready` · `failed` (SPEC §2). */
export type FileStatus = MediaFile["status"]

/** Why processing failed (SPEC §6): `unsupported_format`, `corrupt_image`, `too_many_pixels`, … */
export type FailureReason = NonNullable<MediaFile["failure_reason"]>

/** The answer of `POST /v1/media/upload-url` (SPEC §3): an S3 pre-signed POST target. */
export type UploadTicket = typeof UploadTicketSchema.Type

/** One page of `GET /v1/media/search` (SPEC §3); `cursor` only when another page may exist. */
export type SearchPage = typeof SearchResult.Type

/** The body of every API error (SPEC §7). */
export type ApiErrorBody = ErrorBody

/** Entity types the service knows (SPEC §4); only `shipment_item` today. */
export type EntityType = MediaFile["entity_type"]
