/**
 * CORS for the embedded upload endpoint, so browser apps can POST the signed
 * form straight to it (MEDIA_CORS_ORIGINS; `*` admits every origin).
 */
import type { HttpServerRequest } from "effect/http"
import { HttpServerResponse } from "effect/http"
import * as S3Errors from "./S3Errors.ts"

const exposed = "ETag, x-request-id"

export const makeUploadCors = (origins: ReadonlyArray<string>) => {
  const anyOrigin = origins.includes("*")
  const allowedOrigin = (request: HttpServerRequest.HttpServerRequest): string | undefined => {
    const origin = request.headers["origin"]
    if (origin === undefined) return undefined
    return anyOrigin ? "*" : origins.includes(origin) ? origin : undefined
  }

  /** Headers for the actual POST response: without them a browser hides even a 204 from the page. */
  const responseHeaders = (request: HttpServerRequest.HttpServerRequest): Record<string, string> => {
    const origin = allowedOrigin(request)
    if (origin === undefined) return anyOrigin ? {} : { vary: "Origin" }
    return {
      "access-control-allow-origin": origin,
      "access-control-expose-headers": exposed,
      ...(anyOrigin ? {} : { vary: "Origin" })
    }
  }

  /** Answers `OPTIONS`: POST from an allowed origin, with whatever headers the browser asks to send. */
  const preflight = (request: HttpServerRequest.HttpServerRequest): HttpServerResponse.HttpServerResponse => {
    const origin = allowedOrigin(request)
    const method = request.headers["access-control-request-method"]?.toUpperCase()
    if (origin === undefined || method !== "POST") return S3Errors.toResponse(S3Errors.corsForbidden(), { vary: "Origin" })
    const requested = request.headers["access-control-request-headers"]
    return HttpServerResponse.empty({
      status: 200,
      headers: {
        "access-control-allow-origin": origin,
        "access-control-allow-methods": "POST",
        ...(requested === undefined ? {} : { "access-control-allow-headers": requested }),
        "access-control-expose-headers": exposed,
        "access-control-max-age": "600",
        vary: "Origin, Access-Control-Request-Headers"
      }
    })
  }

  return { responseHeaders, preflight } as const
}
