/**
 * Router-wide middleware, around every route (the API's and any the app
 * mounts): request id (the `x-request-id` header, `CurrentRequest` for error
 * bodies, an annotation on every log line), CORS, error bodies for what HttpApi leaves empty
 * (unknown routes, paths that are not UTF-8, defects), `WWW-Authenticate`
 * on 401, and the access log.
 */
import { Cause, Context, Effect, Exit } from "effect"
import { HttpMiddleware, HttpRouter, HttpServerError, HttpServerRequest, HttpServerResponse } from "effect/http"
import type { unhandled } from "effect/Types"
import { CurrentRequest, type RequestInfo, requestIdFrom } from "@media-object-storage/api/CurrentRequest"
import { defaultError, errorResponse } from "./errorResponse.ts"
import { HttpConfig } from "./HttpConfig.ts"
import { malformedPart } from "./malformedPart.ts"

/** The schemes a 401 names (SPEC §5). */
export const wwwAuthenticate = `Basic realm="media", Bearer`

const pathOf = (url: string): string => {
  const query = url.indexOf("?")
  return query === -1 ? url : url.slice(0, query)
}

const isRouteNotFound = (cause: Cause.Cause<unknown>): boolean =>
  cause.reasons.some((reason) =>
    reason._tag === "Fail" && HttpServerError.isHttpServerError(reason.error) &&
    reason.error.reason._tag === "RouteNotFound"
  )

/** Turns a failed request into a response in our error body, logging what the client must not see. */
const failureResponse = (request: HttpServerRequest.HttpServerRequest, info: RequestInfo, cause: Cause.Cause<unknown>) => {
  if (isRouteNotFound(cause)) {
    // A path that is not valid UTF-8 matches no route; it is a malformed request, not an unknown one.
    const malformed = malformedPart(request.url)
    if (malformed !== undefined) {
      return Effect.succeed(
        errorResponse(400, "INVALID_REQUEST", `${malformed} is not valid percent-encoded UTF-8`, info.requestId)
      )
    }
    return Effect.succeed(
      errorResponse(404, "INVALID_REQUEST", `no route for ${request.method} ${pathOf(request.url)}`, info.requestId)
    )
  }
  return Effect.flatMap(HttpServerError.causeResponse(cause), ([response, rest]) => {
    if (response.status < 500 || Cause.hasInterruptsOnly(cause)) return Effect.succeed(normalize(response, info))
    return Effect.logError("request failed", rest).pipe(
      Effect.annotateLogs({ request_id: info.requestId }),
      Effect.as(normalize(response, info))
    )
  })
}

/** An error response without a body (HttpApi's and the router's defaults) gets ours. */
const normalize = (response: HttpServerResponse.HttpServerResponse, info: RequestInfo) => {
  if (response.status < 400 || response.body._tag !== "Empty") return response
  const { code, message } = defaultError(response.status)
  return errorResponse(response.status, code, message, info.requestId, response.headers)
}

export const RequestMiddleware = HttpRouter.middleware(
  Effect.gen(function*() {
    const config = yield* HttpConfig
    const cors = HttpMiddleware.cors({
      allowedOrigins: config.corsOrigins.includes("*") ? [] : config.corsOrigins,
      allowedHeaders: ["authorization", "content-type", "x-request-id"],
      exposedHeaders: ["x-request-id"],
      maxAge: 600
    })

    // Typed as still failing: the router's middleware type forbids handling
    // errors (other middleware may rely on seeing them); at run time none escape.
    return (app): Effect.Effect<HttpServerResponse.HttpServerResponse, unhandled, HttpServerRequest.HttpServerRequest> => {
      const withCors = cors(app)
      return Effect.withFiber((fiber) => {
        const request = Context.getUnsafe(fiber.context, HttpServerRequest.HttpServerRequest)
        const info: RequestInfo = { requestId: requestIdFrom(request.headers["x-request-id"]), accountId: undefined }
        // Wall time for the log only; nothing decides on it.
        const started = performance.now()
        // Every log line of the request (a handler's error log, say) carries its id.
        return Effect.provideService(Effect.annotateLogs(withCors, "request_id", info.requestId), CurrentRequest, info).pipe(
          Effect.exit,
          Effect.flatMap((exit) => Exit.isSuccess(exit) ? Effect.succeed(normalize(exit.value, info)) : failureResponse(request, info, exit.cause)),
          Effect.flatMap((response) => {
            let sent = HttpServerResponse.setHeader(response, "x-request-id", info.requestId)
            if (sent.status === 401) sent = HttpServerResponse.setHeader(sent, "www-authenticate", wwwAuthenticate)
            if (!config.logRequests) return Effect.succeed(sent)
            return Effect.logInfo("http request").pipe(
              Effect.annotateLogs({
                method: request.method,
                path: pathOf(request.url),
                status: sent.status,
                duration_ms: Math.round((performance.now() - started) * 100) / 100,
                request_id: info.requestId,
                ...(info.accountId === undefined ? {} : { account_id: info.accountId })
              }),
              Effect.as(sent)
            )
          }),
          // This middleware writes the access log; the server's own logger would repeat it.
          HttpMiddleware.withLoggerDisabled
        )
      })
    }
  }),
  { global: true }
)
