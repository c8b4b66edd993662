/**
 * The content types a client may declare for an upload, and how a declared one is decoded.
 */
import { Schema, SchemaTransformation } from "effect"

/** The content types a client may declare for an upload (SPEC §3 `upload-url`). */
export const uploadContentTypes = ["image/jpeg", "image/png", "image/webp", "image/gif"] as const

/** Schema of one of `uploadContentTypes`. */
export const UploadContentType = Schema.Literals(uploadContentTypes)
/** One of `uploadContentTypes`, e.g. `"image/png"`. */
export type UploadContentType = typeof UploadContentType.Type

/** What processing always produces and the CDN serves (SPEC §6): a JPEG. */
export const processedContentType = "image/jpeg" as const

/** Types that clients commonly try and that we refuse with advice rather than a bare "invalid". */
export const isHeifFamily = (contentType: string): boolean =>
  /^image\/(heic|heif|heic-sequence|heif-sequence|avif)$/i.test(contentType.trim())

const isUploadContentType = Schema.is(UploadContentType)

/**
 * A `content_type` as a client declares it (SPEC §3, §7): MIME types compare
 * case-insensitively, so any case is accepted and lower-cased; decodes to an
 * `UploadContentType`. HEIC/HEIF (and AVIF) fail with the advice to convert to
 * JPEG on the device, anything else with the list of accepted types.
 */
export const DeclaredContentType = Schema.String.pipe(Schema.decode(SchemaTransformation.toLowerCase())).check(
  Schema.makeFilter((contentType: string) => {
    if (isHeifFamily(contentType)) {
      return `content_type ${contentType} is not accepted: convert HEIC/HEIF photos to JPEG on the device before uploading`
    }
    return isUploadContentType(contentType) || `content_type must be one of ${uploadContentTypes.join(", ")}`
  })
).pipe(Schema.decodeTo(UploadContentType, SchemaTransformation.passthroughSupertype()))
