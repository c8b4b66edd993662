/**
 * Errors of the CloudFront adapters: a misconfigured CDN (startup) and a
 * signed URL that does not grant access (download route).
 */
import { Schema } from "effect"

/** The CDN base URL or a signing / verification key is unusable. Never carries key material. */
export class CloudFrontConfigError extends Schema.TaggedError<CloudFrontConfigError>()("CloudFrontConfigError", {
  message: Schema.String,
  cause: Schema.optionalKey(Schema.Defect())
}) {}

export const InvalidSignedUrlReason = Schema.Literals(["expired", "bad_signature", "unknown_key_pair", "malformed"])
export type InvalidSignedUrlReason = typeof InvalidSignedUrlReason.Type

/** A signed URL that must not be served. `message` is for logs, never for the client. */
export class InvalidSignedUrl extends Schema.TaggedError<InvalidSignedUrl>()("InvalidSignedUrl", {
  reason: InvalidSignedUrlReason,
  message: Schema.String
}) {}
