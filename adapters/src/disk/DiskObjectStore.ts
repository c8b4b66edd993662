/**
 * ObjectStore on the local disk (the embedded default). Upload targets are S3
 * pre-signed POSTs to the app's own endpoint (DiskUploadEndpoint), signed by the
 * very code the S3 store uses.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { ObjectStore, StorageError, type UploadPolicy } from "@media-object-storage/core/ports/ObjectStore"
import { Clock, Duration, Effect, FileSystem, Layer, Option, PlatformError, Random, Redacted, Result, Schema } from "effect"
import { basename, join } from "node:path"
import { presignPost } from "../s3/presignPost.ts"
import { makeClient } from "../s3/S3ObjectStore.ts"
import { type LocalCredentials, localRegion, storagePath } from "./LocalCredentials.ts"
import { commitObject, objectFiles, tempPath } from "./ObjectFiles.ts"

export interface DiskObjectStoreOptions {
  /** The objects directory, e.g. `<MEDIA_DATA_DIR>/objects`; created if missing. */
  readonly root: string
  /** Base URL clients reach the app at (MEDIA_PUBLIC_URL); uploads go to `<publicUrl>/storage/<bucket>`. */
  readonly publicUrl: string
  /** The bucket name in upload URLs and events, e.g. "media". */
  readonly bucket: string
  readonly credentials: LocalCredentials
}

const decodeMeta = Schema.decodeUnknownEffect(Schema.fromJsonString(Schema.Struct({ contentType: Schema.String })))

const isNotFound = (error: unknown): boolean => error instanceof PlatformError.PlatformError && error.reason._tag === "NotFound"

export const make = Effect.fn("DiskObjectStore.make")(function*(options: DiskObjectStoreOptions) {
  const fs = yield* FileSystem.FileSystem
  const { root } = options
  const client = yield* Effect.acquireRelease(
    Effect.sync(() =>
      makeClient({
        endpoint: `${options.publicUrl.replace(/\/+$/, "")}${storagePath}`,
        region: localRegion,
        credentials: {
          accessKeyId: options.credentials.accessKeyId,
          secretAccessKey: Redacted.value(options.credentials.secretAccessKey)
        }
      })
    ),
    (client) => Effect.sync(() => client.destroy())
  )
  yield* fs.makeDirectory(root, { recursive: true }).pipe(Effect.orDie)

  const filesOf = (operation: string, key: string) =>
    Result.match(objectFiles(root, key), {
      onSuccess: Effect.succeed,
      onFailure: (reason) => Effect.fail(new StorageError({ operation, key, cause: new Error(`invalid key: ${reason}`) }))
    })
  const failed = (operation: string, key: string) => (cause: unknown) => new StorageError({ operation, key, cause })

  const presignUpload = Effect.fnUntraced(function*(policy: UploadPolicy) {
    yield* filesOf("presignUpload", policy.key)
    return yield* presignPost(client, options.bucket, policy)
  })

  const put = Effect.fnUntraced(function*(key: string, bytes: Uint8Array, contentType: string) {
    const files = yield* filesOf("put", key)
    yield* Effect.gen(function*() {
      yield* fs.makeDirectory(files.dir, { recursive: true })
      const temp = yield* tempPath(files)
      yield* fs.writeFile(temp, bytes, { flag: "wx" }).pipe(
        Effect.andThen(commitObject(fs, files, temp, contentType)),
        Effect.onError(() => Effect.ignore(fs.remove(temp, { force: true })))
      )
    }).pipe(Effect.mapError(failed("put", key)))
  })

  /** The object's size, if `key` names a stored object (a directory of deeper keys does not count). */
  const stat = (operation: string, key: string, path: string) =>
    fs.stat(path).pipe(
      Effect.map((info) => (info.type === "File" ? Option.some(Number(info.size)) : Option.none())),
      Effect.catchIf(isNotFound, () => Effect.succeedNone),
      Effect.mapError(failed(operation, key))
    )

  const get = Effect.fnUntraced(function*(key: string) {
    const files = yield* filesOf("get", key)
    if (Option.isNone(yield* stat("get", key, files.data))) return Option.none()
    return yield* fs.readFile(files.data).pipe(
      Effect.map(Option.some),
      // Deleted between the stat and the read.
      Effect.catchIf(isNotFound, () => Effect.succeedNone),
      Effect.mapError(failed("get", key))
    )
  })

  const head = Effect.fnUntraced(function*(key: string) {
    const files = yield* filesOf("head", key)
    const size = yield* stat("head", key, files.data)
    if (Option.isNone(size)) return Option.none()
    const contentType = yield* fs.readFileString(files.meta).pipe(
      Effect.flatMap(decodeMeta),
      Effect.map((meta) => meta.contentType),
      Effect.catchIf(isNotFound, () => Effect.succeed(undefined)),
      Effect.mapError(failed("head", key))
    )
    return Option.some({ size: size.value, contentType })
  })

  const remove = Effect.fnUntraced(function*(key: string) {
    const files = yield* filesOf("delete", key)
    // Bytes first: an object without its sidecar is still an object, a lone sidecar is nothing.
    yield* fs.remove(files.data, { force: true }).pipe(
      Effect.andThen(fs.remove(files.meta, { force: true })),
      Effect.mapError(failed("delete", key))
    )
  })

  return ObjectStore.of({ presignUpload, put, get, head, delete: remove })
})

export const layer = (options: DiskObjectStoreOptions) =>
  Layer.effect(ObjectStore, make(options)).pipe(Layer.provide(NodeFileSystem.layer))

/** A temp file of a write in progress or dead: `.<name>.<random>.tmp` (ObjectFiles.tempPath), never an object. */
const isTempFile = (name: string) => name.startsWith(".") && name.endsWith(".tmp")

export interface RemoveTempsOptions {
  /** Folders under the root to look in (e.g. `["originals"]`); the whole root when absent. */
  readonly under?: ReadonlyArray<string> | undefined
  /**
   * Only temps not written to for this long. Absent: every temp, which is right only while no
   * write is live (at start-up, before uploads are accepted and processing runs).
   */
  readonly idleFor?: Duration.Input | undefined
}

/**
 * Removes the temp files of writes that died: an upload cut off by a killed process leaves its raw
 * bytes in `originals/<account>/.<id>.<random>.tmp`, which nothing else would ever remove. A live
 * write touches its temp with every chunk, so an idle bound (longer than any request may take)
 * never removes one under it. Returns how many were removed.
 */
export const removeDeadTemps = Effect.fn("DiskObjectStore.removeDeadTemps")(
  function*(root: string, options: RemoveTempsOptions = {}) {
    const fs = yield* FileSystem.FileSystem
    const now = yield* Clock.currentTimeMillis
    const idleMillis = options.idleFor === undefined ? undefined : Duration.toMillis(Duration.fromInputUnsafe(options.idleFor))
    let removed = 0
    for (const folder of options.under ?? ["."]) {
      const dir = join(root, folder)
      const entries = yield* fs.readDirectory(dir, { recursive: true }).pipe(Effect.catchIf(isNotFound, () => Effect.succeed([])))
      for (const entry of entries) {
        if (!isTempFile(basename(entry))) continue
        const path = join(dir, entry)
        if (idleMillis !== undefined) {
          // Gone meanwhile (committed or cleaned up by its writer): nothing to do.
          const info = yield* fs.stat(path).pipe(Effect.map(Option.some), Effect.catchIf(isNotFound, () => Effect.succeedNone))
          if (Option.isNone(info) || info.value.type !== "File") continue
          const modified = Option.getOrUndefined(info.value.mtime)?.getTime()
          if (modified === undefined || now - modified < idleMillis) continue
        }
        yield* fs.remove(path, { force: true })
        removed++
      }
    }
    return removed
  },
  Effect.mapError((cause) => new StorageError({ operation: "removeDeadTemps", key: "", cause }))
)

/**
 * Fails unless the store can take objects: `root` is a directory this process can create and write
 * a file in (gone, read-only, unwritable and full disks all fail). The disk store's readiness check.
 */
export const checkWritable = Effect.fn("DiskObjectStore.checkWritable")(
  function*(root: string) {
    const fs = yield* FileSystem.FileSystem
    const n = yield* Random.nextIntBetween(0, 2 ** 48)
    const probe = join(root, `.readiness-${n.toString(36)}.tmp`)
    // One byte: creating an empty file can succeed on a full disk.
    yield* fs.writeFile(probe, new Uint8Array([0x2e]), { flag: "wx" }).pipe(
      Effect.ensuring(Effect.ignore(fs.remove(probe, { force: true })))
    )
  },
  Effect.mapError((cause) => new StorageError({ operation: "checkWritable", key: "", cause }))
)
