/**
 * Error responses built outside HttpApi (router middleware, fallback routes),
 * in the same body as the API's own errors (SPEC §7).
 */
import { HttpServerResponse } from "effect/http"
import type { ErrorBody, ErrorCode } from "@media-object-storage/api/ApiErrors"

/** The error body of SPEC §7, as every error response of the API carries it. */
export const errorBody = (code: ErrorCode, message: string, requestId: string): ErrorBody => ({
  error_code: code,
  error_data: { message },
  request_id: requestId
})

export const errorResponse = (
  status: number,
  code: ErrorCode,
  message: string,
  requestId: string,
  headers?: Record<string, string>
): HttpServerResponse.HttpServerResponse => {
  return HttpServerResponse.jsonUnsafe(errorBody(code, message, requestId), headers === undefined ? { status } : { status, headers })
}

/** The code and message for an error response that came without a body of ours. */
export const defaultError = (status: number): { readonly code: ErrorCode; readonly message: string } => {
  if (status === 401 || status === 403) return { code: "ACCESS_DENIED", message: "access denied" }
  if (status >= 500) return { code: "INTERNAL_ERROR", message: "internal error" }
  if (status === 404) return { code: "INVALID_REQUEST", message: "not found" }
  if (status === 413) return { code: "INVALID_REQUEST", message: "request body is too large" }
  return { code: "INVALID_REQUEST", message: "invalid request" }
}
