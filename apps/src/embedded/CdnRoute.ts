/**
 * The embedded server's CDN: `GET`/`HEAD /cdn/<key>` serves an image or
 * thumbnail to whoever holds a valid CloudFront-format signed URL for it, as
 * CloudFront in front of S3 would (SPEC §9): streamed from disk, `Range`,
 * `ETag` / `If-None-Match`, `Last-Modified`, and a `Cache-Control` that ends
 * with the URL. Originals are never served, whatever the signature says, and
 * neither is anything of a file that is gone or not `ready`.
 */
import { Effect, Option } from "effect"
import { HttpRouter, type HttpServerRequest, HttpServerResponse } from "effect/http"
import { CloudFrontUrlVerifier } from "@media-object-storage/adapters/cloudfront/CloudFrontUrlVerifier"
import type { StoredObject } from "@media-object-storage/adapters/disk/DiskObjectReader"
import * as S3Errors from "@media-object-storage/adapters/disk/S3Errors"
import { processedContentType } from "@media-object-storage/core/ContentType"
import { nowSeconds } from "@media-object-storage/core/nowSeconds"
import { parseDerivativeKey } from "@media-object-storage/core/ObjectKeys"
import { FileRepository } from "@media-object-storage/core/ports/FileRepository"
import { type ByteRange, contentRange, parseByteRange } from "./ByteRange.ts"
import { CdnObjects } from "./CdnObjects.ts"

export const cdnPath = "/cdn"

// CloudFront answers a refused signed URL with 403, and S3 behind it answers a missing object the same way
// when the distribution may not list the bucket: the client learns nothing about what exists.
const accessDenied = S3Errors.toResponse(S3Errors.accessDenied("Access denied"))

const unavailable = HttpServerResponse.empty({ status: 503 })

/** `If-None-Match` holds `etag` (weak comparison, RFC 9110 §13.1.2; `*` matches any object). */
const noneMatchHits = (header: string, etag: string): boolean =>
  header.split(",").some((candidate) => {
    const tag = candidate.trim()
    return tag === "*" || tag.replace(/^W\//, "") === etag
  })

/** Whether a `304` is the answer: `If-None-Match` decides when sent, else `If-Modified-Since` (whole seconds). */
const notModified = (request: HttpServerRequest.HttpServerRequest, object: StoredObject): boolean => {
  const ifNoneMatch = request.headers["if-none-match"]
  if (ifNoneMatch !== undefined) return noneMatchHits(ifNoneMatch, object.etag)
  const ifModifiedSince = request.headers["if-modified-since"]
  if (ifModifiedSince === undefined || object.lastModified === undefined) return false
  const since = Date.parse(ifModifiedSince)
  return !Number.isNaN(since) && Math.floor(object.lastModified.getTime() / 1000) * 1000 <= since
}

/** `If-Range` (a strong ETag or the exact `Last-Modified`) keeps the `Range` only if the object is unchanged. */
const rangeOf = (request: HttpServerRequest.HttpServerRequest, object: StoredObject, lastModified: string | undefined): ByteRange => {
  const ifRange = request.headers["if-range"]
  if (ifRange !== undefined && ifRange.trim() !== object.etag && ifRange.trim() !== lastModified) return { _tag: "Whole" }
  return parseByteRange(request.headers["range"], object.size)
}

/** The response for a servable object, its cache lifetime bounded by the signed URL's remaining `validFor` seconds. */
const respond = (request: HttpServerRequest.HttpServerRequest, object: StoredObject, validFor: number) => {
  const lastModified = object.lastModified?.toUTCString()
  const headers: Record<string, string> = {
    "accept-ranges": "bytes",
    etag: object.etag,
    // Never cached past the URL: a deleted file's bytes must not outlive its last signed URL in a cache.
    "cache-control": `private, max-age=${Math.max(0, validFor)}`,
    "x-content-type-options": "nosniff",
    ...(lastModified === undefined ? {} : { "last-modified": lastModified })
  }
  if (notModified(request, object)) return HttpServerResponse.empty({ status: 304, headers })
  const range = rangeOf(request, object, lastModified)
  if (range._tag === "Unsatisfiable") {
    return S3Errors.toResponse(S3Errors.invalidRange(), { ...headers, "content-range": contentRange(range, object.size)! })
  }
  const [status, start, end] = range._tag === "Part" ? [206, range.start, range.end] : [200, 0, object.size - 1]
  const partHeaders = range._tag === "Part" ? { ...headers, "content-range": contentRange(range, object.size)! } : headers
  const length = end - start + 1
  if (request.method === "HEAD") {
    // No body, so nothing is opened; Node sends these headers as they are.
    return HttpServerResponse.empty({
      status,
      headers: { ...partHeaders, "content-type": processedContentType, "content-length": String(length) }
    })
  }
  return HttpServerResponse.stream(object.read(start, end), {
    status,
    contentType: processedContentType,
    contentLength: length,
    headers: partHeaders
  })
}

/**
 * The route. `publicUrl` is the origin URLs were signed for (MEDIA_PUBLIC_URL), never the request's Host
 * header. Needs the verifier, `CdnObjects` and the `FileRepository` (a file must exist and be `ready`).
 */
export const cdnRoute = (publicUrl: string) =>
  HttpRouter.use(Effect.fnUntraced(function*(router) {
    const verifier = yield* CloudFrontUrlVerifier
    const objects = yield* CdnObjects
    const files = yield* FileRepository
    const origin = `${new URL(publicUrl).origin}/`
    yield* router.add("GET", `${cdnPath}/*`, (request: HttpServerRequest.HttpServerRequest) =>
      Effect.gen(function*() {
        const now = yield* nowSeconds
        const granted = yield* verifier.verify(new URL(request.url, origin), now).pipe(
          Effect.tapError((e) => Effect.logInfo("refused signed URL", { reason: e.reason })),
          Effect.option
        )
        if (Option.isNone(granted)) return accessDenied
        const derivative = parseDerivativeKey(granted.value.key)
        if (Option.isNone(derivative)) return accessDenied
        // The record decides, not the bytes: a file deleted (or being deleted) is refused even while its
        // objects are still on disk, and so is one that is not ready.
        const file = yield* files.get(derivative.value.accountId, derivative.value.fileId)
        if (Option.isNone(file) || file.value.status !== "ready") return accessDenied
        const object = yield* objects.find(granted.value.key)
        if (Option.isNone(object)) return accessDenied
        return respond(request, object.value, granted.value.expiresAt - now)
      }).pipe(Effect.catchTags({
        StorageError: () => Effect.succeed(unavailable),
        RepositoryError: () => Effect.succeed(unavailable)
      })))
  }))
