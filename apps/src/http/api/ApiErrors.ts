/**
 * The error bodies of SPEC §7, one class per status, so the OpenAPI document
 * shows every error response. All share `{ error_code, error_data: { message }, request_id }`.
 */
import { Schema } from "effect"

const ErrorData = Schema.Struct({ message: Schema.String })

const body = <const Code extends string>(code: Code) => ({
  error_code: Schema.Literal(code),
  error_data: ErrorData,
  request_id: Schema.String.annotate({ description: "Equals the response's x-request-id header" })
})

/** The shape every error body has, whatever its status. */
export const ErrorBody = Schema.Struct({
  error_code: Schema.Literals(["INVALID_REQUEST", "ACCESS_DENIED", "FILE_NOT_FOUND", "INTERNAL_ERROR"]),
  error_data: ErrorData,
  request_id: Schema.String
})
export type ErrorBody = typeof ErrorBody.Type
export type ErrorCode = ErrorBody["error_code"]

export class InvalidRequestError extends Schema.Error<InvalidRequestError>("InvalidRequestError")(
  body("INVALID_REQUEST"),
  { httpApiStatus: 400, description: "Malformed request: invalid JSON, unknown or invalid properties, a path or query that is not valid UTF-8, a bad limit, cursor or entity id" }
) {
  static of(message: string, requestId: string) {
    return new InvalidRequestError({ error_code: "INVALID_REQUEST", error_data: { message }, request_id: requestId })
  }
}

export class UnauthorizedError extends Schema.Error<UnauthorizedError>("UnauthorizedError")(
  body("ACCESS_DENIED"),
  { httpApiStatus: 401, description: "Missing or wrong credentials" }
) {
  static of(message: string, requestId: string) {
    return new UnauthorizedError({ error_code: "ACCESS_DENIED", error_data: { message }, request_id: requestId })
  }
}

export class ForbiddenError extends Schema.Error<ForbiddenError>("ForbiddenError")(
  body("ACCESS_DENIED"),
  { httpApiStatus: 403, description: "The credentials lack the permission this endpoint needs" }
) {
  static of(message: string, requestId: string) {
    return new ForbiddenError({ error_code: "ACCESS_DENIED", error_data: { message }, request_id: requestId })
  }
}

export class FileNotFoundError extends Schema.Error<FileNotFoundError>("FileNotFoundError")(
  body("FILE_NOT_FOUND"),
  { httpApiStatus: 404, description: "No such file in the caller's account" }
) {
  static of(message: string, requestId: string) {
    return new FileNotFoundError({ error_code: "FILE_NOT_FOUND", error_data: { message }, request_id: requestId })
  }
}

export class PayloadTooLargeError extends Schema.Error<PayloadTooLargeError>("PayloadTooLargeError")(
  body("INVALID_REQUEST"),
  { httpApiStatus: 413, description: "The request body is over the API's body limit" }
) {
  static of(message: string, requestId: string) {
    return new PayloadTooLargeError({ error_code: "INVALID_REQUEST", error_data: { message }, request_id: requestId })
  }
}

export class UnsupportedMediaTypeError extends Schema.Error<UnsupportedMediaTypeError>("UnsupportedMediaTypeError")(
  body("INVALID_REQUEST"),
  { httpApiStatus: 415, description: "The request body is not application/json" }
) {
  static of(message: string, requestId: string) {
    return new UnsupportedMediaTypeError({ error_code: "INVALID_REQUEST", error_data: { message }, request_id: requestId })
  }
}

export class InternalError extends Schema.Error<InternalError>("InternalError")(
  body("INTERNAL_ERROR"),
  { httpApiStatus: 500, description: "Anything unexpected; details are only in the server log" }
) {
  static of(requestId: string) {
    return new InternalError({
      error_code: "INTERNAL_ERROR",
      error_data: { message: "internal error" },
      request_id: requestId
    })
  }
}

// SPEC §7 has four error codes; a dependency being down is an internal error, told apart by its 503.
export class NotReadyError extends Schema.Error<NotReadyError>("NotReadyError")(
  body("INTERNAL_ERROR"),
  { httpApiStatus: 503, description: "A dependency is unreachable" }
) {
  static of(requestId: string) {
    return new NotReadyError({
      error_code: "INTERNAL_ERROR",
      error_data: { message: "service not ready" },
      request_id: requestId
    })
  }
}
