/**
 * Reads stored objects of the disk store piece by piece, for the embedded CDN
 * route: what a response needs to know up front (size, validator, date) and
 * the bytes of a range as a pulled stream, so a download never holds the
 * object in memory and a client that stops reading stops the reads.
 */
import { StorageError } from "@media-object-storage/core/ports/ObjectStore"
import { Effect, FileSystem, Option, PlatformError, Result, Stream } from "effect"
import { objectFiles } from "./ObjectFiles.ts"

/** One stored object, as found when asked. */
export interface StoredObject {
  readonly size: number
  /**
   * A strong entity tag, quoted: the size and modification time of the file. Objects are never rewritten in
   * place (a write is a rename of a complete temp file, and derivative keys are written once per attempt), so
   * these change whenever the bytes could have; the tag survives a copy of the data dir that keeps times.
   */
  readonly etag: string
  /** When the object was stored; absent when the store does not tell. */
  readonly lastModified?: Date | undefined
  /**
   * Bytes `start`..`end` (inclusive) as a stream of chunks of at most `chunkBytes`, read as the consumer pulls.
   * The file is opened when the stream runs; an object deleted since it was found fails the stream.
   */
  readonly read: (start: number, end: number) => Stream.Stream<Uint8Array, StorageError>
}

/** Bytes read per chunk: what a stalled download holds at most, besides the socket's buffers. */
export const chunkBytes = 64 * 1024

export interface DiskObjectReader {
  /** The object stored under `key`, if any. */
  readonly find: (key: string) => Effect.Effect<Option.Option<StoredObject>, StorageError>
}

const isNotFound = (error: PlatformError.PlatformError) => error.reason._tag === "NotFound"

/**
 * A reader of the objects under `root` (the disk store's objects directory). `find` answers none for a key
 * the store cannot hold, a missing object, or a directory of deeper keys.
 */
export const make = Effect.fn("DiskObjectReader.make")(function*(root: string) {
  const fs = yield* FileSystem.FileSystem
  const find = Effect.fnUntraced(function*(key: string) {
    const files = objectFiles(root, key)
    if (Result.isFailure(files)) return Option.none<StoredObject>()
    const path = files.success.data
    const info = yield* fs.stat(path).pipe(
      Effect.map(Option.some),
      Effect.catchIf(isNotFound, () => Effect.succeedNone),
      Effect.mapError((cause) => new StorageError({ operation: "stat", key, cause }))
    )
    if (Option.isNone(info) || info.value.type !== "File") return Option.none<StoredObject>()
    const size = Number(info.value.size)
    const mtime = Option.getOrElse(info.value.mtime, () => new Date(0))
    const stored: StoredObject = {
      size,
      etag: `"${size.toString(16)}-${mtime.getTime().toString(16)}"`,
      lastModified: mtime,
      read: (start, end) =>
        fs.stream(path, { offset: start, bytesToRead: end - start + 1, chunkSize: chunkBytes }).pipe(
          Stream.mapError((cause) => new StorageError({ operation: "read", key, cause }))
        )
    }
    return Option.some(stored)
  })
  const reader: DiskObjectReader = { find }
  return reader
})
