/**
 * Receives one S3 POST form into the disk store: collect the fields, verify the
 * policy when the `file` part starts, stream its raw bytes to a temp file while
 * enforcing the size limit, then atomically make it the object.
 */
import { Clock, Effect, type FileSystem, type PlatformError, Result, type Scope, Stream } from "effect"
import type { Multipart } from "effect/http"
import { createHash } from "node:crypto"
import { diskFault } from "./DiskFault.ts"
import { type FormEvent, formEvents, type FormLimits } from "./FormEvents.ts"
import type { LocalCredentials } from "./LocalCredentials.ts"
import { commitObject, objectFiles, tempPath } from "./ObjectFiles.ts"
import { verifyPostPolicy } from "./PostPolicy.ts"
import * as S3Errors from "./S3Errors.ts"

export interface ReceiveOptions {
  readonly root: string
  readonly bucket: string
  readonly credentials: LocalCredentials
  readonly region: string
  readonly maxUploadBytes: number
}

export interface StoredUpload {
  readonly key: string
  readonly size: number
  /** Hex MD5 of the bytes, as S3 reports it for single-part uploads. */
  readonly etag: string
  readonly successStatus: 200 | 201 | 204
  readonly atMillis: number
}

/** The file part being written: its temp file, and what has been written to it so far. */
interface OpenUpload {
  readonly write: (bytes: Uint8Array) => Effect.Effect<void, S3Errors.S3Error | PlatformError.PlatformError>
  readonly commit: Effect.Effect<StoredUpload, S3Errors.S3Error | PlatformError.PlatformError>
}

/**
 * A file-system failure while storing an upload: a full or read-only disk is S3's 503 (the client
 * may retry later, and S3's SDKs do), with the reason in the server log only; anything else is a
 * fault of ours (500, logged by the endpoint).
 */
const storageFailure = (error: PlatformError.PlatformError) => {
  const fault = diskFault(error)
  if (fault?.transient !== true) return Effect.die(error)
  return Effect.logError(`upload refused: the object store cannot write (${fault.description})`, error).pipe(
    Effect.andThen(Effect.fail(S3Errors.serviceUnavailable("Service is unable to handle request. Please try again later.")))
  )
}

/**
 * The upload endpoint's receiver: `(headers, body, limits)` → the stored object, or S3's error
 * (a disk that is full or read-only: 503 ServiceUnavailable; no temp file is left in any case).
 */
export const makeReceiver = (fs: FileSystem.FileSystem, options: ReceiveOptions) => {
  /**
   * Verifies the form and opens a temp file beside the object, removed when the scope closes
   * unless committed (renamed away) first; the size limit is enforced on every write.
   */
  const open = Effect.fnUntraced(function*(form: ReadonlyArray<readonly [string, string]>) {
    const atMillis = yield* Clock.currentTimeMillis
    const post = yield* verifyPostPolicy(form, { ...options, nowMillis: atMillis })
    const checked = objectFiles(options.root, post.key)
    if (Result.isFailure(checked)) {
      return yield* S3Errors.invalidArgument(`Invalid key: ${checked.failure}.`, { ArgumentName: "key" })
    }
    const files = checked.success
    const limit = Math.min(post.maxBytes, options.maxUploadBytes)
    yield* fs.makeDirectory(files.dir, { recursive: true })
    const temp = yield* tempPath(files)
    // Registered before the file exists, so it goes whatever fails next (a partial file included).
    yield* Effect.addFinalizer(() => Effect.ignore(fs.remove(temp, { force: true })))
    const handle = yield* fs.open(temp, { flag: "wx" })
    const md5 = createHash("md5")
    let size = 0
    const upload: OpenUpload = {
      write: (bytes) => {
        size += bytes.length
        if (size > limit) return Effect.fail(S3Errors.entityTooLarge(limit))
        md5.update(bytes)
        return handle.writeAll(bytes)
      },
      commit: Effect.gen(function*() {
        if (size < post.minBytes) return yield* S3Errors.entityTooSmall(size, post.minBytes)
        yield* handle.sync
        yield* commitObject(fs, files, temp, post.contentType)
        const stored: StoredUpload = { key: post.key, size, etag: md5.digest("hex"), successStatus: post.successStatus, atMillis }
        return stored
      })
    }
    return upload
  })

  const requireFile = S3Errors.invalidArgument("POST requires exactly one file upload per request.", { ArgumentName: "file" })

  /**
   * The whole form. Fields before `file` are the form; the file is the last
   * part read (S3 ignores everything after it), so nothing after it is buffered.
   */
  const receiveForm = (events: Stream.Stream<FormEvent, Multipart.MultipartError>) =>
    Effect.gen(function*() {
      const form: Array<readonly [string, string]> = []
      let upload: OpenUpload | undefined
      let stored: StoredUpload | undefined
      yield* Stream.runForEachWhile(
        events,
        (event): Effect.Effect<boolean, S3Errors.S3Error | PlatformError.PlatformError, Scope.Scope> => {
          switch (event._tag) {
            case "Field":
              form.push([event.name, event.value])
              return Effect.succeed(true)
            case "FileStart":
              if (event.name !== "file") return Effect.fail(requireFile)
              return Effect.map(open(form), (opened) => {
                upload = opened
                return true
              })
            case "FileChunk":
              return upload === undefined ? Effect.fail(requireFile) : Effect.as(upload.write(event.bytes), true)
            case "FileEnd":
              if (upload === undefined) return Effect.fail(requireFile)
              return Effect.map(upload.commit, (result) => {
                stored = result
                return false
              })
          }
        }
      )
      if (stored === undefined) return yield* requireFile
      return stored
    }).pipe(Effect.scoped)

  /** Receives the multipart body `body` (with its request `headers`); the stored object, or S3's error. */
  return (
    headers: Readonly<Record<string, string>>,
    body: Stream.Stream<Uint8Array, Multipart.MultipartError>,
    limits: FormLimits
  ) =>
    receiveForm(formEvents(headers, body, limits)).pipe(
      Effect.catchTag("MultipartError", (error) => {
        switch (error.reason._tag) {
          case "FieldTooLarge":
          case "TooManyParts":
            return Effect.fail(S3Errors.fieldsTooLarge())
          case "BodyTooLarge":
          case "FileTooLarge":
            return Effect.fail(S3Errors.entityTooLarge(options.maxUploadBytes))
          case "Parse":
            return Effect.fail(S3Errors.malformedPost())
          default:
            return Effect.die(error)
        }
      }),
      Effect.catchTag("PlatformError", storageFailure)
    )
}
