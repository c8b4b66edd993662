/**
 * The error bodies of SPEC §7, one class per status, so the OpenAPI document
 * shows every error response. All share `{ error_code, error_data: { message }, request_id }`.
 * An error is made with its message only (`apiError(FileNotFoundError, "file not found")`): its
 * class fixes the code, and the request id is written into the body when the server encodes it,
 * from `CurrentRequest` (set per request by the router middleware), in this one place.
 */
import { Effect, Schema, SchemaGetter } from "effect"
import { CurrentRequest } from "./CurrentRequest.ts"

const ErrorData = Schema.Struct({ message: Schema.String })

/** Decoded as sent (clients read it); on the server, encoded as the id of the request being answered. */
const RequestId = Schema.String.pipe(
  Schema.encode({
    decode: SchemaGetter.passthrough(),
    encode: SchemaGetter.transformEffect(() => Effect.map(CurrentRequest, (info) => info.requestId))
  }),
  Schema.withConstructorDefault(Effect.succeed(""))
).annotate({ description: "Equals the response's x-request-id header" })

const body = <const Code extends string>(code: Code) => ({
  error_code: Schema.Literal(code).pipe(Schema.withConstructorDefault(Effect.succeed(code))),
  error_data: ErrorData,
  request_id: RequestId
})

/** The shape every error body has, whatever its status. */
export const ErrorBody = Schema.Struct({
  error_code: Schema.Literals(["INVALID_REQUEST", "ACCESS_DENIED", "FILE_NOT_FOUND", "INTERNAL_ERROR"]),
  error_data: ErrorData,
  request_id: Schema.String
})
/** A decoded `ErrorBody`. */
export type ErrorBody = typeof ErrorBody.Type
/** The four `error_code`s of SPEC §7. */
export type ErrorCode = ErrorBody["error_code"]

/** Builds an API error of `ErrorClass` (which fixes its status and code) saying `message` (SPEC §7). */
export const apiError = <E>(
  ErrorClass: new(props: { readonly error_data: { readonly message: string } }) => E,
  message: string
): E => new ErrorClass({ error_data: { message } })

/** 400 INVALID_REQUEST (SPEC §7). */
export class InvalidRequestError extends Schema.Error<InvalidRequestError>("InvalidRequestError")(
  body("INVALID_REQUEST"),
  { httpApiStatus: 400, description: "Malformed request: invalid JSON, unknown or invalid properties, a path or query that is not valid UTF-8, a bad limit, cursor or entity id" }
) {}

/** 401 ACCESS_DENIED: missing or wrong credentials (SPEC §5, §7). */
export class UnauthorizedError extends Schema.Error<UnauthorizedError>("UnauthorizedError")(
  body("ACCESS_DENIED"),
  { httpApiStatus: 401, description: "Missing or wrong credentials" }
) {}

/** 403 ACCESS_DENIED: the credentials lack the endpoint's permission (SPEC §5, §7). */
export class ForbiddenError extends Schema.Error<ForbiddenError>("ForbiddenError")(
  body("ACCESS_DENIED"),
  { httpApiStatus: 403, description: "The credentials lack the permission this endpoint needs" }
) {}

/** 404 FILE_NOT_FOUND: no such file in the caller's account (SPEC §7). */
export class FileNotFoundError extends Schema.Error<FileNotFoundError>("FileNotFoundError")(
  body("FILE_NOT_FOUND"),
  { httpApiStatus: 404, description: "No such file in the caller's account" }
) {}

/** 413 INVALID_REQUEST: the body is over the API's limit. */
export class PayloadTooLargeError extends Schema.Error<PayloadTooLargeError>("PayloadTooLargeError")(
  body("INVALID_REQUEST"),
  { httpApiStatus: 413, description: "The request body is over the API's body limit" }
) {}

/** 415 INVALID_REQUEST: the body is not `application/json`. */
export class UnsupportedMediaTypeError extends Schema.Error<UnsupportedMediaTypeError>("UnsupportedMediaTypeError")(
  body("INVALID_REQUEST"),
  { httpApiStatus: 415, description: "The request body is not application/json" }
) {}

/** 500 INTERNAL_ERROR: anything unexpected (SPEC §7); details only in the server log. */
export class InternalError extends Schema.Error<InternalError>("InternalError")(
  body("INTERNAL_ERROR"),
  { httpApiStatus: 500, description: "Anything unexpected; details are only in the server log" }
) {}

// SPEC §7 has four error codes; a dependency being down is an internal error, told apart by its 503.
/** 503 INTERNAL_ERROR: a dependency is unreachable (`/readyz`). */
export class NotReadyError extends Schema.Error<NotReadyError>("NotReadyError")(
  body("INTERNAL_ERROR"),
  { httpApiStatus: 503, description: "A dependency is unreachable" }
) {}
