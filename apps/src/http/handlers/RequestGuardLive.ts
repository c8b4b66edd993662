/**
 * The RequestGuard middleware: 400 for a path, query string or JSON body
 * that is not valid (percent-encoded) UTF-8, 413 for bodies over the limit (by
 * Content-Length before reading, and while reading chunked bodies), 415 for
 * a body that is not JSON, and request decoding failures as 400 with a
 * message naming the problem.
 */
import { ByteSize, Cause, Effect, Layer } from "effect"
import { HttpIncomingMessage, HttpServerError, HttpServerRequest } from "effect/http"
import { type HttpApiEndpoint, HttpApiError } from "effect/http-api"
import { isUtf8 } from "node:buffer"
import { apiError, InternalError, InvalidRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from "@media-object-storage/api/ApiErrors"
import { RequestGuard } from "@media-object-storage/api/RequestGuard"
import type { unhandled } from "effect/Types"
import { HttpConfig } from "../HttpConfig.ts"
import { malformedPart } from "../malformedPart.ts"

const where = {
  Params: "path",
  Headers: "headers",
  Query: "query",
  Payload: "request body"
} as const

/** Whether HttpApi will decode this request's body as JSON (a missing Content-Type counts as JSON there too). */
const readsJson = (endpoint: HttpApiEndpoint.Top, contentType: string | undefined): boolean =>
  endpoint.payload.size > 0 &&
  (contentType ?? "application/json").split(";")[0]!.trim().toLowerCase() === "application/json"

const isBodyTooLarge = (defect: unknown): boolean =>
  HttpServerError.isHttpServerError(defect) && defect.reason._tag === "RequestParseError" &&
  defect.reason.reason === "BodyTooLarge"

export const RequestGuardLive = Layer.effect(
  RequestGuard,
  Effect.gen(function*() {
    const { bodyLimitBytes } = yield* HttpConfig
    const maxBodySize = ByteSize.bytes(bodyLimitBytes)
    const tooLarge = `request body is over the limit of ${bodyLimitBytes} bytes`

    return RequestGuard.of((httpEffect, { endpoint }) =>
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        const malformed = malformedPart(request.url)
        if (malformed !== undefined) {
          return yield* apiError(InvalidRequestError, `${malformed} is not valid percent-encoded UTF-8`)
        }
        // Only endpoints that read a body can be refused for one (the document declares 413 on those only).
        if (endpoint.payload.size > 0 && Number(request.headers["content-length"]) > bodyLimitBytes) {
          return yield* apiError(PayloadTooLargeError, tooLarge)
        }
        // A JSON body is read here first (HttpApi reuses the bytes) to refuse invalid UTF-8,
        // which decoding would otherwise turn into U+FFFD and accept.
        const bodyCheck: Effect.Effect<void, InvalidRequestError> = readsJson(endpoint, request.headers["content-type"])
          ? Effect.flatMap(Effect.orDie(request.arrayBuffer), (bytes) =>
            isUtf8(bytes) ? Effect.void : Effect.fail(apiError(InvalidRequestError, "request body is not valid UTF-8")))
          : Effect.void
        const guarded = Effect.catch(
          Effect.provideService(Effect.andThen(bodyCheck, httpEffect), HttpIncomingMessage.MaxBodySize, maxBodySize),
          (error): Effect.Effect<never, unhandled | InvalidRequestError | InternalError> => {
            if (!HttpApiError.HttpApiSchemaError.is(error)) return Effect.fail(error)
            // Body/ResponseHeaders: our own response failed to encode, a server fault.
            if (error.kind === "Body" || error.kind === "ResponseHeaders") {
              return Effect.logError("response encoding failed", Cause.fail(error)).pipe(
                Effect.andThen(Effect.fail(apiError(InternalError, "internal error")))
              )
            }
            return Effect.fail(apiError(InvalidRequestError, `invalid ${where[error.kind]}: ${error.cause.message}`))
          }
        )
        const response = yield* Effect.catchDefect(guarded, (defect) =>
          isBodyTooLarge(defect) ? Effect.fail(apiError(PayloadTooLargeError, tooLarge)) : Effect.die(defect))
        // HttpApi answers an unexpected Content-Type itself, in plain text.
        if (response.status === 415) {
          return yield* apiError(UnsupportedMediaTypeError, "content-type must be application/json")
        }
        return response
      })
    )
  })
)
