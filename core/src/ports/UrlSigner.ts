/**
 * Port: time-limited download URLs for stored objects (CloudFront signed URLs
 * in both modes).
 */
import { Context, type Effect, Schema } from "effect"

/** A URL could not be signed (e.g. an unusable key). */
export class SigningError extends Schema.TaggedError<SigningError>()("SigningError", {
  cause: Schema.Defect()
}) {}

/** Port: expiring download URLs for stored objects (SPEC §2 `download_url`, `thumbnail_url`). */
export class UrlSigner extends Context.Service<UrlSigner, {
  /** A URL for `key` that stops working at `expiresAt` (UNIX seconds). */
  sign(key: string, expiresAt: number): Effect.Effect<string, SigningError>
}>()("core/UrlSigner") {}
