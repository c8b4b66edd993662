/**
 * The one place an upload policy becomes an S3 pre-signed POST. Used by the S3
 * store and by the disk store (pointed at the app's own S3-compatible endpoint).
 */
import type { S3Client } from "@aws-sdk/client-s3"
import { createPresignedPost } from "@aws-sdk/s3-presigned-post"
import { StorageError, type UploadPolicy, type UploadTarget } from "@media-object-storage/core/ports/ObjectStore"
import { nowSeconds } from "@media-object-storage/core/nowSeconds"
import { Effect } from "effect"

export const presignPost = (client: S3Client, bucket: string, policy: UploadPolicy): Effect.Effect<UploadTarget, StorageError> =>
  Effect.gen(function*() {
    const now = yield* nowSeconds
    return yield* Effect.tryPromise({
      try: () =>
        createPresignedPost(client, {
          Bucket: bucket,
          Key: policy.key,
          // The SDK adds `{ key }` and `{ bucket }` conditions from these, pinning the exact key.
          Fields: { key: policy.key, "Content-Type": policy.contentType },
          Conditions: [
            ["eq", "$Content-Type", policy.contentType],
            ["content-length-range", policy.minBytes, policy.maxBytes]
          ],
          // The SDK stamps the policy with its own wall clock; in production that is the Clock.
          Expires: policy.expiresAt - now
        }),
      catch: (cause) => new StorageError({ operation: "presignUpload", key: policy.key, cause })
    })
  })
