/**
 * Port: where object bytes live (originals and derivatives), and how clients
 * get a pre-signed POST target to upload straight into it.
 */
import { Context, type Effect, type Option, Schema } from "effect"

/**
 * The object store could not be reached or answered unexpectedly; `operation` and `key` say where.
 * Processing treats it as an outage (SPEC §6): the file waits, no attempt is used.
 */
export class StorageError extends Schema.TaggedError<StorageError>()("StorageError", {
  operation: Schema.String,
  key: Schema.String,
  cause: Schema.Defect()
}) {}

/**
 * What a pre-signed upload target admits (SPEC §3 `upload-url`): one key, one content type,
 * `minBytes..maxBytes` bytes, until `expiresAt`.
 */
export interface UploadPolicy {
  /** The exact object key the upload must be stored under. */
  readonly key: string
  /** The exact Content-Type the form must declare. */
  readonly contentType: string
  readonly minBytes: number
  readonly maxBytes: number
  /** UNIX seconds after which the target is refused. */
  readonly expiresAt: number
}

/** An S3 pre-signed POST: send every field, then the file in a field named `file`. */
export interface UploadTarget {
  readonly url: string
  readonly fields: Readonly<Record<string, string>>
}

/** What `head` reports: the size in bytes and the stored content type. */
export interface ObjectInfo {
  readonly size: number
  readonly contentType?: string | undefined
}

/**
 * Port: object bytes by key (originals and derivatives) and pre-signed POST targets for uploads. Every
 * method fails `StorageError` when the store is unavailable; `get` and `head` answer none for a missing key.
 * Implementations pass core/test/contract/ObjectStoreContract.ts (memory, disk and S3 do).
 */
export class ObjectStore extends Context.Service<ObjectStore, {
  presignUpload(policy: UploadPolicy): Effect.Effect<UploadTarget, StorageError>
  put(key: string, bytes: Uint8Array, contentType: string): Effect.Effect<void, StorageError>
  get(key: string): Effect.Effect<Option.Option<Uint8Array>, StorageError>
  head(key: string): Effect.Effect<Option.Option<ObjectInfo>, StorageError>
  /** Idempotent: deleting a missing object succeeds. */
  delete(key: string): Effect.Effect<void, StorageError>
}>()("core/ObjectStore") {}
