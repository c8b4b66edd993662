/**
 * ObjectStore on S3 (or any S3-compatible endpoint): pre-signed POST uploads,
 * plain object calls for everything else.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig
} from "@aws-sdk/client-s3"
import { ObjectStore, StorageError, type UploadPolicy } from "@media-object-storage/core/ports/ObjectStore"
import { Config, Effect, Layer, Option } from "effect"
import { presignPost } from "./presignPost.ts"

/** S3 says "NoSuchKey" for GET and a bare "NotFound" (404, no body) for HEAD. */
const isNotFound = (cause: unknown): boolean => {
  const error = cause as { name?: unknown; $metadata?: { httpStatusCode?: unknown } } | null
  return error?.name === "NoSuchKey" || error?.name === "NotFound" || error?.$metadata?.httpStatusCode === 404
}

export const make = (options: { readonly client: S3Client; readonly bucket: string }) => {
  const { bucket, client } = options
  const call = <A>(operation: string, key: string, run: (signal: AbortSignal) => Promise<A>) =>
    Effect.tryPromise({ try: run, catch: (cause) => new StorageError({ operation, key, cause }) })
  /** Absent objects are `none`; every other failure stays a StorageError. */
  const optional = <A>(effect: Effect.Effect<A, StorageError>) =>
    effect.pipe(
      Effect.map(Option.some),
      Effect.catchIf((error) => isNotFound(error.cause), () => Effect.succeedNone)
    )

  const presignUpload = Effect.fnUntraced(function*(policy: UploadPolicy) {
    return yield* presignPost(client, bucket, policy)
  })
  const put = Effect.fnUntraced(function*(key: string, bytes: Uint8Array, contentType: string) {
    yield* call("put", key, (abortSignal) =>
      client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: contentType }), { abortSignal }))
  })
  const get = Effect.fnUntraced(function*(key: string) {
    return yield* optional(call("get", key, (abortSignal) =>
      client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal }).then((response) =>
        response.Body === undefined ? new Uint8Array(0) : response.Body.transformToByteArray()
      )))
  })
  const head = Effect.fnUntraced(function*(key: string) {
    const response = yield* optional(call("head", key, (abortSignal) =>
      client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal })))
    return Option.map(response, (r) => ({ size: r.ContentLength ?? 0, contentType: r.ContentType }))
  })
  // S3 answers 204 for a missing key, so delete is idempotent without special-casing.
  const remove = Effect.fnUntraced(function*(key: string) {
    yield* call("delete", key, (abortSignal) =>
      client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal }))
  })
  return ObjectStore.of({ presignUpload, put, get, head, delete: remove })
}

/**
 * An S3Client as this store needs it. Flexible checksums are only sent when S3
 * requires them: streamed (aws-chunked) bodies with trailing checksums are
 * mangled by some S3-compatible servers (s3rver stores the chunk framing).
 */
export const makeClient = (config: S3ClientConfig = {}): S3Client =>
  new S3Client({
    ...config,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    ...(config.endpoint === undefined ? {} : { forcePathStyle: true })
  })

const scopedClient = (config: S3ClientConfig) =>
  Effect.acquireRelease(Effect.sync(() => makeClient(config)), (client) => Effect.sync(() => client.destroy()))

/** The store with a client built from `client` (endpoint, region, credentials, ...). */
export const layerClient = (options: { readonly bucket: string; readonly client?: S3ClientConfig | undefined }) =>
  Layer.effect(
    ObjectStore,
    Effect.map(scopedClient(options.client ?? {}), (client) => make({ client, bucket: options.bucket }))
  )

/**
 * The aws-mode store on `bucket` (the app reads MEDIA_BUCKET); region, credentials and endpoint
 * from the SDK's own variables (AWS_REGION, AWS_ENDPOINT_URL_S3, ...). A custom endpoint is
 * addressed path-style, which every S3-compatible server understands.
 */
export const layer = (bucket: string) => Layer.effect(
  ObjectStore,
  Effect.gen(function*() {
    const endpoint = yield* Config.option(
      Config.String("AWS_ENDPOINT_URL_S3").pipe(Config.orElse(() => Config.String("AWS_ENDPOINT_URL")))
    )
    const client = yield* scopedClient(Option.isSome(endpoint) ? { forcePathStyle: true } : {})
    return make({ client, bucket })
  })
)
