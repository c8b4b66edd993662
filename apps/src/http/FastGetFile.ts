/**
 * The lean route for `GET`/`HEAD /v1/media/{file_id}` (issue 13): the same
 * contract as HttpApi's `getFile` (MediaGroup.ts: its permission, `FileView`
 * schema and error bodies; the OpenAPI document stays generated from there),
 * answered from Node's request event with one fiber per request instead of
 * Effect's router, the router middleware, HttpApi's middleware chain and its
 * response encoding. It keeps every behaviour of that route: authentication
 * through the same `Authenticator` (Basic, static tokens, JWTs; 401 with
 * `WWW-Authenticate`, 403), `x-request-id`, CORS headers, error bodies,
 * the access log, log lines annotated with the request id, and HEAD.
 *
 * It takes only requests it answers exactly as HttpApi would: a well-formed
 * file id, no body, no percent-escape in the query. Anything else (a
 * malformed id: 404; an escape that is not UTF-8: 400; preflights, bodies)
 * goes on to HttpApi. apps/test/http/FastGetFile.test.ts sends the same
 * requests to both routes and compares the answers byte for byte.
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import { Cause, Context, Effect, Layer, Option, References } from "effect"
import { ClientAddress } from "@media-object-storage/adapters/auth/ClientAddress"
import type { FileView } from "@media-object-storage/core/FileView"
import { type FileId, isFileId } from "@media-object-storage/core/Ids"
import { Authenticator, hasPermission } from "@media-object-storage/core/ports/Authenticator"
import { MediaFiles } from "@media-object-storage/core/usecases/MediaFiles"
import type { ErrorCode } from "@media-object-storage/api/ApiErrors"
import { RequiredPermission } from "@media-object-storage/api/Authentication"
import { MediaGroup } from "@media-object-storage/api/MediaGroup"
import { requestIdFrom } from "@media-object-storage/api/CurrentRequest"
import { errorBody } from "./errorResponse.ts"
import { type FrontRoute, FrontRoutes } from "./FrontRoutes.ts"
import { forbiddenMessage } from "./handlers/AuthenticationLive.ts"
import { HttpConfig } from "./HttpConfig.ts"
import { wwwAuthenticate } from "./RequestMiddleware.ts"

const prefix = "/v1/media/"

/**
 * The CORS headers `HttpMiddleware.cors` (RequestMiddleware.ts) adds to an actual (not preflight)
 * response, for the configured origins: any (`*`), one, or a list checked against `Origin`.
 */
export const corsHeadersFor = (origins: ReadonlyArray<string>): (origin: string | undefined) => Record<string, string> => {
  const expose = { "access-control-expose-headers": "x-request-id" }
  if (origins.includes("*") || origins.length === 0) {
    const headers = { "access-control-allow-origin": "*", ...expose }
    return () => headers
  }
  if (origins.length === 1) {
    const headers = { "access-control-allow-origin": origins[0]!, vary: "Origin", ...expose }
    return () => headers
  }
  const refused = { vary: "Origin", ...expose }
  return (origin) =>
    origin !== undefined && origins.includes(origin)
      ? { "access-control-allow-origin": origin, vary: "Origin", ...expose }
      : refused
}

/** What a request came to: a file, or an error body of SPEC §7. */
type Outcome =
  | { readonly _tag: "File"; readonly status: 200; readonly view: FileView }
  | { readonly _tag: "Error"; readonly status: number; readonly code: ErrorCode; readonly message: string }

const failure = (status: number, code: ErrorCode, message: string): Outcome => ({ _tag: "Error", status, code, message })

/** Credentials without the endpoint's permission: a 403, decided here as the Authentication middleware does. */
class MissingPermission {
  readonly _tag = "MissingPermission"
}
const missingPermission = new MissingPermission()

const hasBody = (request: IncomingMessage): boolean => {
  const length = request.headers["content-length"]
  return request.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0")
}

/**
 * Adds the lean `GET /v1/media/{file_id}` to the server's `FrontRoutes`, unless there are none
 * (not on Node's server) or `HttpConfig.fastReads` is false. Needs `MediaFiles` and the `Authenticator`.
 */
export const layer = Layer.effectDiscard(Effect.gen(function*() {
  const front = yield* FrontRoutes
  const config = yield* HttpConfig
  if (front === undefined || !config.fastReads) return
  const files = yield* MediaFiles
  const authenticator = yield* Authenticator
  // Captured once: every request's fiber runs in this context (loggers, log level, ports), plus the
  // client's address and the request id as a log annotation, added as two entries rather than two
  // `provideService`/`annotateLogs` steps in the fiber.
  const context = yield* Effect.context<never>()
  const annotations = Context.get(context, References.CurrentLogAnnotations)

  const endpoint = MediaGroup.endpoints.getFile
  const permission = Context.getOption(endpoint.annotations, RequiredPermission)
  const forbidden = forbiddenMessage(permission)
  const cors = corsHeadersFor(config.corsOrigins)

  /** What a failed request answers; undefined when the client went away (nothing to answer). */
  const failureOf = (cause: Cause.Cause<unknown>): Effect.Effect<Outcome | undefined> => {
    const error = Cause.findErrorOption(cause)
    if (Option.isSome(error)) {
      const tag = (error.value as { readonly _tag?: unknown })._tag
      if (tag === "Unauthenticated") {
        return Effect.succeed(failure(401, "ACCESS_DENIED", (error.value as { readonly message: string }).message))
      }
      if (tag === "MissingPermission") return Effect.succeed(failure(403, "ACCESS_DENIED", forbidden))
      if (tag === "FileNotFound") return Effect.succeed(failure(404, "FILE_NOT_FOUND", "file not found"))
    }
    if (Cause.hasInterruptsOnly(cause)) return Effect.succeed(undefined)
    // The repository or signer failed, or a defect: logged as withApiErrors and RequestMiddleware log them.
    const logged = Option.isSome(error) ? Cause.fail(error.value) : cause
    return Effect.as(Effect.logError("request failed", logged), failure(500, "INTERNAL_ERROR", "internal error"))
  }

  const send = (request: IncomingMessage, response: ServerResponse, requestId: string, outcome: Outcome): void => {
    // The client is gone: nothing can reach it (Effect's server skips the write alike).
    if (response.destroyed) return
    // FileView encodes to itself (strings, integers, literals), so the view is written as it is, in one
    // JSON.stringify; the byte-for-byte test against HttpApi's schema-encoded answer guards that.
    const body = outcome._tag === "File"
      ? JSON.stringify(outcome.view)
      : JSON.stringify(errorBody(outcome.code, outcome.message, requestId))
    const bytes = Buffer.from(body, "utf8")
    const headers: Record<string, string | number> = {
      "content-type": "application/json",
      "content-length": bytes.length,
      "x-request-id": requestId,
      ...cors(request.headers.origin)
    }
    if (outcome.status === 401) headers["www-authenticate"] = wwwAuthenticate
    response.writeHead(outcome.status, headers)
    if (request.method === "HEAD") response.end()
    else response.end(bytes)
  }

  const serveFile = (request: IncomingMessage, response: ServerResponse, fileId: FileId): void => {
    // Node joins repeated headers other than set-cookie into one string.
    const requestId = requestIdFrom(request.headers["x-request-id"] as string | undefined)
    const started = config.logRequests ? performance.now() : 0
    let accountId: string | undefined
    const found = Effect.flatMap(
      authenticator.authenticate(request.headers.authorization),
      (principal): Effect.Effect<FileView, unknown> => {
        accountId = principal.accountId
        if (Option.isNone(permission) || !hasPermission(principal, permission.value)) return Effect.fail(missingPermission)
        return files.get(principal.accountId, fileId)
      }
    )
    const finish = (outcome: Outcome | undefined): Effect.Effect<void> => {
      if (outcome === undefined) {
        if (!response.writableEnded) response.destroy()
        return Effect.void
      }
      send(request, response, requestId, outcome)
      if (!config.logRequests) return Effect.void
      return Effect.logInfo("http request").pipe(Effect.annotateLogs({
        method: request.method!,
        path: request.url!.split("?", 1)[0]!,
        status: outcome.status,
        duration_ms: Math.round((performance.now() - started) * 100) / 100,
        request_id: requestId,
        ...(accountId === undefined ? {} : { account_id: accountId })
      }))
    }
    const answered = Effect.matchCauseEffect(found, {
      onSuccess: (view) => finish({ _tag: "File", status: 200, view }),
      onFailure: (cause) => Effect.flatMap(failureOf(cause), finish)
    })
    // The client's address lets the credentials-file Authenticator share slow checks fairly (AuthenticationLive.ts);
    // every log line of the request (the authenticator's, say) carries its id, as RequestMiddleware does.
    const requestContext = Context.add(
      Context.add(context, ClientAddress, request.socket.remoteAddress ?? ""),
      References.CurrentLogAnnotations,
      { ...annotations, request_id: requestId }
    )
    const fiber = Effect.runForkWith(requestContext)(answered)
    if (fiber.pollUnsafe() === undefined) {
      response.on("close", () => {
        if (!response.writableEnded) fiber.interruptUnsafe()
      })
    }
  }

  const route: FrontRoute = (request, response) => {
    const method = request.method
    if (method !== "GET" && method !== "HEAD") return false
    const url = request.url
    if (url === undefined || !url.startsWith(prefix)) return false
    const query = url.indexOf("?", prefix.length)
    const fileId = query === -1 ? url.slice(prefix.length) : url.slice(prefix.length, query)
    if (!isFileId(fileId) || (query !== -1 && url.includes("%", query)) || hasBody(request)) return false
    serveFile(request, response, fileId)
    return true
  }
  // Taken away with the routes (at shutdown), so no request reaches a MediaFiles being torn down.
  yield* Effect.acquireRelease(Effect.sync(() => front.add(route)), (remove) => Effect.sync(remove))
}))
