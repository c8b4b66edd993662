/**
 * Port: time-limited download URLs for stored objects (CloudFront signed URLs
 * in both modes).
 */
import { Context, type Effect, Schema } from "effect"
import type { AccountId, FileId } from "../Ids.ts"

/** A URL could not be signed (e.g. an unusable key). */
export class SigningError extends Schema.TaggedError<SigningError>()("SigningError", {
  cause: Schema.Defect()
}) {}

/** The processed objects of one attempt of one file (`ObjectKeys.imageKey` / `thumbnailKey`). */
export interface Derivatives {
  readonly accountId: AccountId
  readonly fileId: FileId
  /** The attempt that made them (≥ 1). */
  readonly attempt: number
}

/** The two download URLs of a ready file. */
export interface DerivativeUrls {
  /** Opens `images/<account>/<file_id>/<attempt>.jpg`. */
  readonly image: string
  /** Opens `thumbnails/<account>/<file_id>/<attempt>.jpg`. */
  readonly thumbnail: string
}

/** Port: expiring download URLs for stored objects (SPEC §2 `download_url`, `thumbnail_url`). */
export class UrlSigner extends Context.Service<UrlSigner, {
  /** A URL for `key` that stops working at `expiresAt` (UNIX seconds). */
  sign(key: string, expiresAt: number): Effect.Effect<string, SigningError>
  /**
   * The image and thumbnail URLs of one file's attempt, both stopping at `expiresAt` (UNIX seconds)
   * and opening nothing but those two objects (SPEC §2, §9). An implementation may make both from one
   * signature; the URLs of one (derivatives, expiresAt) are the same on every call.
   */
  signDerivatives(derivatives: Derivatives, expiresAt: number): Effect.Effect<DerivativeUrls, SigningError>
}>()("core/UrlSigner") {}
