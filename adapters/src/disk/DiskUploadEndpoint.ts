/**
 * The embedded storage's upload endpoint: S3 POST Object for the forms the
 * disk store signs, at `POST /storage/<bucket>` on the app's HttpRouter, with
 * S3's answers (204, or its XML errors). Each stored original is reported to
 * the app as an `ObjectArrived` before the answer.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { Cause, Effect, FileSystem, Layer, Option, Stream } from "effect"
import { HttpRouter, type HttpServerRequest, HttpServerResponse, Multipart } from "effect/http"
import { ObjectArrived } from "@media-object-storage/core/ObjectArrived"
import { type LocalCredentials, localRegion, storagePath } from "./LocalCredentials.ts"
import { makeReceiver, type StoredUpload } from "./ReceiveUpload.ts"
import * as S3Errors from "./S3Errors.ts"
import { makeUploadCors } from "./UploadCors.ts"

export interface UploadRoutesOptions {
  /** The disk store's objects directory (the same `root` as DiskObjectStore). */
  readonly root: string
  readonly bucket: string
  readonly credentials: LocalCredentials
  /** Defaults to us-east-1, what the disk store signs with. */
  readonly region?: string | undefined
  readonly maxUploadBytes: number
  readonly corsOrigins: ReadonlyArray<string>
  /**
   * Called once per stored original (a key under `originals/`), after it is in place, before the
   * answer: the app records the arrival durably here. If it fails the client gets S3's InternalError
   * (500) and retries the upload, which overwrites the same key and calls this again. Objects under
   * any other key are stored and not reported, as S3 events for them are ignored.
   */
  readonly onObjectArrived: (arrival: ObjectArrived) => Effect.Effect<void, unknown>
}

/** Form fields are small (S3 caps the part before the file at 20 KB); only the file may be large. */
const maxFieldBytes = 20 * 1024
const maxParts = 64

const success = (bucket: string, stored: StoredUpload) => {
  const headers = { etag: `"${stored.etag}"` }
  if (stored.successStatus !== 201) return HttpServerResponse.empty({ status: stored.successStatus, headers })
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Bucket>${bucket}</Bucket><Key>${
    encodeURIComponent(stored.key)
  }</Key><ETag>"${stored.etag}"</ETag></PostResponse>`
  return HttpServerResponse.text(body, { status: 201, contentType: "application/xml", headers })
}

/** Adds `POST` and `OPTIONS /storage/<bucket>` to the app's HttpRouter. */
export const uploadRoutes = (options: UploadRoutesOptions): Layer.Layer<never, never, HttpRouter.HttpRouter> =>
  HttpRouter.use(Effect.fnUntraced(function*(router) {
    const fs = yield* FileSystem.FileSystem
    const region = options.region ?? localRegion
    const receive = makeReceiver(fs, { ...options, region })
    const cors = makeUploadCors(options.corsOrigins)
    const path = `${storagePath}/${options.bucket}` as const

    const post = (request: HttpServerRequest.HttpServerRequest) =>
      Effect.gen(function*() {
        const contentType = request.headers["content-type"] ?? ""
        if (!/^multipart\/form-data\s*;/i.test(contentType)) return yield* S3Errors.notMultipart()
        const body = Stream.mapError(request.stream, (cause) => Multipart.MultipartError.fromReason("InternalError", cause))
        const stored = yield* receive(request.headers, body, {
          maxParts,
          maxFieldBytes,
          // Whatever the app's body limit, an upload may be as large as allowed (plus its form fields).
          maxBodyBytes: options.maxUploadBytes + maxParts * maxFieldBytes
        })
        const arrival = ObjectArrived.fromKey(stored.key, stored.size)
        if (Option.isNone(arrival)) return success(options.bucket, stored)
        const notified = yield* options.onObjectArrived(arrival.value).pipe(
          Effect.as(true),
          Effect.catchCause((cause) =>
            Effect.as(Effect.logError("could not record a stored upload; asking the client to retry", cause), false)
          )
        )
        return notified ? success(options.bucket, stored) : S3Errors.toResponse(S3Errors.internalError())
      }).pipe(
        Effect.catchTag("S3Error", (error) => Effect.succeed(S3Errors.toResponse(error))),
        Effect.catchCause((cause) =>
          Cause.hasInterruptsOnly(cause)
            ? Effect.failCause(cause)
            : Effect.as(Effect.logError("upload failed", cause), S3Errors.toResponse(S3Errors.internalError()))
        ),
        Effect.map(HttpServerResponse.setHeaders(cors.responseHeaders(request))),
        Effect.withSpan("DiskUploadEndpoint.post")
      )

    yield* router.add("POST", path, post)
    yield* router.add("OPTIONS", path, (request) => Effect.succeed(cors.preflight(request)))
  })).pipe(Layer.provide(NodeFileSystem.layer))
