/**
 * Receives one S3 POST form into the disk store: collect the fields, verify the
 * policy when the `file` part arrives, stream the file to a temp file while
 * enforcing the size limit, then atomically make it the object.
 */
import { Clock, Effect, type FileSystem, type PlatformError, Result, Stream } from "effect"
import { Multipart } from "effect/http"
import { createHash } from "node:crypto"
import type { LocalCredentials } from "./LocalCredentials.ts"
import { commitObject, type ObjectFiles, objectFiles, tempPath } from "./ObjectFiles.ts"
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

const encoder = new TextEncoder()

export const makeReceiver = (fs: FileSystem.FileSystem, options: ReceiveOptions) => {
  /** Streams `content` into a temp file beside the object; fails as soon as it passes `limit`. */
  const writeTemp = (files: ObjectFiles, content: Stream.Stream<Uint8Array, Multipart.MultipartError>, limit: number) =>
    Effect.gen(function*() {
      yield* fs.makeDirectory(files.dir, { recursive: true })
      const temp = yield* tempPath(files)
      const md5 = createHash("md5")
      let size = 0
      yield* Effect.scoped(Effect.gen(function*() {
        const handle = yield* fs.open(temp, { flag: "wx" })
        yield* Stream.runForEach(content, (chunk): Effect.Effect<void, S3Errors.S3Error | PlatformError.PlatformError> => {
          size += chunk.length
          if (size > limit) return Effect.fail(S3Errors.entityTooLarge(limit))
          md5.update(chunk)
          return handle.writeAll(chunk)
        })
        yield* handle.sync
      })).pipe(Effect.onError(() => Effect.ignore(fs.remove(temp, { force: true }))))
      return { temp, size, etag: md5.digest("hex") }
    })

  const storeFile = Effect.fnUntraced(function*(
    form: ReadonlyArray<readonly [string, string]>,
    content: Stream.Stream<Uint8Array, Multipart.MultipartError>
  ) {
    const atMillis = yield* Clock.currentTimeMillis
    const post = yield* verifyPostPolicy(form, { ...options, nowMillis: atMillis })
    const files = objectFiles(options.root, post.key)
    if (Result.isFailure(files)) return yield* S3Errors.invalidArgument(`Invalid key: ${files.failure}.`, { ArgumentName: "key" })
    const written = yield* writeTemp(files.success, content, Math.min(post.maxBytes, options.maxUploadBytes))
    yield* Effect.gen(function*() {
      if (written.size < post.minBytes) return yield* S3Errors.entityTooSmall(written.size, post.minBytes)
      yield* commitObject(fs, files.success, written.temp, post.contentType)
    }).pipe(Effect.onError(() => Effect.ignore(fs.remove(written.temp, { force: true }))))
    const stored: StoredUpload = { key: post.key, size: written.size, etag: written.etag, successStatus: post.successStatus, atMillis }
    return stored
  })

  const requireFile = S3Errors.invalidArgument("POST requires exactly one file upload per request.", { ArgumentName: "file" })

  /**
   * The whole form. Fields before `file` are the form; the file is the last
   * part read (S3 ignores everything after it), so nothing after it is buffered.
   */
  return (parts: Stream.Stream<Multipart.Part, Multipart.MultipartError>) =>
    Effect.gen(function*() {
      const form: Array<readonly [string, string]> = []
      let stored: StoredUpload | undefined
      yield* Stream.runForEachWhile(parts, (part) => {
        if (part.key !== "file") {
          if (part._tag === "File") return Effect.fail(requireFile)
          form.push([part.key, part.value])
          return Effect.succeed(true)
        }
        // A `file` sent without a filename arrives as a plain field; S3 takes its value as the content.
        const content = part._tag === "File" ? part.content : Stream.make(encoder.encode(part.value))
        return Effect.map(storeFile(form, content), (result) => {
          stored = result
          return false
        })
      })
      if (stored === undefined) return yield* requireFile
      return stored
    }).pipe(
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
      Effect.catchTag("PlatformError", (error) => Effect.die(error))
    )
}
