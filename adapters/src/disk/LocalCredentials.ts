/**
 * The access key pair of the embedded storage endpoint: the disk store signs
 * upload policies with it and the upload endpoint verifies them with it.
 */
import type { Redacted } from "effect"

export interface LocalCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string>
}

/** Signed like S3's us-east-1; any fixed region works as long as both sides agree. */
export const localRegion = "us-east-1"

/** Where the app serves storage: `<publicUrl>/storage/<bucket>`. */
export const storagePath = "/storage"
