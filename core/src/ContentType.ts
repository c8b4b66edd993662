/**
 * The content types a client may declare for an upload, and the one we serve.
 */
import { Schema } from "effect"

export const uploadContentTypes = ["image/jpeg", "image/png", "image/webp", "image/gif"] as const

export const UploadContentType = Schema.Literals(uploadContentTypes)
export type UploadContentType = typeof UploadContentType.Type

/** Processed images are always JPEG. */
export const processedContentType = "image/jpeg" as const

/** Types that clients commonly try and that we refuse with advice rather than a bare "invalid". */
export const isHeifFamily = (contentType: string): boolean =>
  /^image\/(heic|heif|heic-sequence|heif-sequence|avif)$/i.test(contentType.trim())
