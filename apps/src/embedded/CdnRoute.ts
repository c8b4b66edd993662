/**
 * The embedded server's CDN: `GET /cdn/<key>` serves an image or thumbnail to
 * whoever holds a valid CloudFront-format signed URL for it, as CloudFront
 * would. Originals are never served, whatever the signature says.
 */
import { Effect, Option } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { CloudFrontUrlVerifier } from "@media/adapters/cloudfront/CloudFrontUrlVerifier"
import { nowSeconds } from "@media/core/MediaErrors"
import { ObjectStore } from "@media/core/ports/ObjectStore"

export const cdnPath = "/cdn"

const servable = (key: string) => key.startsWith("images/") || key.startsWith("thumbnails/")

// CloudFront answers a refused signed URL with 403 and a small XML body.
const accessDenied = HttpServerResponse.text(
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access denied</Message></Error>`,
  { status: 403, contentType: "application/xml" }
)

/** `publicUrl` is the origin URLs were signed for (MEDIA_PUBLIC_URL), never the request's Host header. */
export const cdnRoute = (publicUrl: string) =>
  HttpRouter.use(Effect.fnUntraced(function*(router) {
    const verifier = yield* CloudFrontUrlVerifier
    const store = yield* ObjectStore
    const origin = `${new URL(publicUrl).origin}/`
    yield* router.add("GET", `${cdnPath}/*`, (request: HttpServerRequest.HttpServerRequest) =>
      Effect.gen(function*() {
        const now = yield* nowSeconds
        const granted = yield* verifier.verify(new URL(request.url, origin), now).pipe(
          Effect.tapError((e) => Effect.logInfo("refused signed URL", { reason: e.reason })),
          Effect.option
        )
        if (Option.isNone(granted) || !servable(granted.value.key)) return accessDenied
        const bytes = yield* store.get(granted.value.key)
        if (Option.isNone(bytes)) return accessDenied
        return HttpServerResponse.uint8Array(bytes.value, {
          contentType: "image/jpeg",
          headers: {
            // Derivatives never change under a key (each attempt has its own), so caches may keep them.
            "cache-control": "private, max-age=3600, immutable",
            "x-content-type-options": "nosniff"
          }
        })
      }).pipe(Effect.catchTag("StorageError", () => Effect.succeed(HttpServerResponse.empty({ status: 503 })))))
  }))
