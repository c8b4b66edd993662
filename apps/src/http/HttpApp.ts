/**
 * The HTTP API, ready to mount on an `HttpRouter`.
 *
 * Exports
 * - `MediaHttpRoutes`: registers every API route (`/v1/media/*`, `/healthz`,
 *   `/readyz`), `/openapi.json`, `/docs` (+ `/docs/scalar.js`), 405s for known
 *   paths and the router-wide middleware (request id, CORS, error bodies,
 *   access log), with core's `MediaFiles` built once from the ports. On the
 *   Node server `serve` builds, `GET`/`HEAD /v1/media/{file_id}` is answered
 *   by the lean route of FastGetFile.ts first (same contract and answers; off
 *   with `HttpConfig.fastReads` false). Needs the
 *   core ports (FileRepository, ObjectStore, UrlSigner, FileIds, Cursors,
 *   Authenticator), `Readiness`, the `HttpRouter` and the
 *   platform services `NodeHttpServer.layer` provides. Optional references:
 *   `HttpConfig` (apps/src/http/HttpConfig.ts) and `MediaConfig` (core).
 * - `serve(routes, { port, host })`: serves a router layer with Node, with
 *   Effect's own request logger off (the middleware logs instead) and the
 *   connection limits and timeouts of the optional `ServerLimits` reference
 *   (ServerLimits.ts); outputs `HttpServer.HttpServer` (its `address` has the
 *   bound port).
 *
 * Composing it with more routes (they get the same middleware):
 * ```ts
 * import { layerFromEnv as HttpConfigFromEnv } from "@media-object-storage/apps/http/HttpConfig"
 * const Routes = Layer.mergeAll(MediaHttpRoutes, StorageRoutes, CdnRoutes)
 * const Main = serve(Routes, { port: 8080 }).pipe(
 *   Layer.provide([PortsLayer, Readiness.layerAlwaysReady, HttpConfigFromEnv])
 * )
 * Layer.launch(Main).pipe(NodeRuntime.runMain)
 * ```
 * To give extra routes 405s too: `MethodNotAllowed.layer([{ path: "/storage/*", methods: ["POST"] }])`.
 */
import { Effect, Layer } from "effect"
import { HttpRouter } from "effect/http"
import { HttpApiBuilder } from "effect/http-api"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { MediaApi } from "@media-object-storage/api/MediaApi"
import { createApiServer } from "./createApiServer.ts"
import { DocsRoutes, docsPath, openapiPath, scriptPath } from "./DocsRoutes.ts"
import { MediaFiles } from "@media-object-storage/core/usecases/MediaFiles"
import * as FastGetFile from "./FastGetFile.ts"
import { FrontRoutes, type FrontRoutesShape, makeFrontRoutes } from "./FrontRoutes.ts"
import { AuthenticationLive } from "./handlers/AuthenticationLive.ts"
import { FileIdPathLive } from "./handlers/FileIdPathLive.ts"
import { MediaHandlers } from "./handlers/MediaHandlers.ts"
import { RequestGuardLive } from "./handlers/RequestGuardLive.ts"
import { SystemHandlers } from "./handlers/SystemHandlers.ts"
import * as MethodNotAllowed from "./MethodNotAllowed.ts"
import { RequestMiddleware } from "./RequestMiddleware.ts"
import { ServerLimits, type ServerLimitsShape } from "./ServerLimits.ts"

/**
 * The handlers of every group with `MediaFiles` (built once, from the ports) and the API
 * middleware, which is also an output: HttpApi resolves it again when the routes are built
 * (and `HttpApiTest` does, in tests).
 */
export const ApiHandlers = Layer.mergeAll(MediaHandlers, SystemHandlers).pipe(
  Layer.provide(MediaFiles.layer),
  Layer.provideMerge(Layer.mergeAll(AuthenticationLive, RequestGuardLive, FileIdPathLive))
)

const ApiRoutes = HttpApiBuilder.layer(MediaApi).pipe(Layer.provide(ApiHandlers))

const KnownPaths = MethodNotAllowed.layer([
  ...MethodNotAllowed.pathsOf(MediaApi),
  { path: openapiPath, methods: ["GET"] },
  { path: docsPath, methods: ["GET"] },
  { path: scriptPath, methods: ["GET"] }
])

// The same `MediaFiles.layer` as the handlers': one instance when both are built together.
const FastReads = FastGetFile.layer.pipe(Layer.provide(MediaFiles.layer))

export const MediaHttpRoutes = Layer.mergeAll(RequestMiddleware, ApiRoutes, DocsRoutes, KnownPaths, FastReads)

/** What `MediaHttpRoutes` needs: the ports, `Readiness`, the router and Node's platform services. */
export type MediaHttpRoutesRequirements = typeof MediaHttpRoutes extends Layer.Layer<infer _A, infer _E, infer R> ? R
  : never

export interface ServeOptions {
  readonly port: number
  readonly host?: string | undefined
  /** The server's front routes (FrontRoutes.ts); a new, empty set by default. Given by tests, to count what they took. */
  readonly front?: FrontRoutesShape | undefined
}

/**
 * Serves `routes` (e.g. `MediaHttpRoutes` merged with the app's own) on Node's
 * HTTP server, created with the `ServerLimits` in context. Also outputs `HttpServer.HttpServer`, whose `address` tells the
 * port actually bound (for `port: 0`). Routes get this server's `FrontRoutes`, to take requests before Effect's stack
 * (`MediaHttpRoutes` does for `GET /v1/media/{file_id}` unless `HttpConfig.fastReads` is false).
 */
export const serve = <E, R>(routes: Layer.Layer<never, E, R>, options: ServeOptions) =>
  Layer.unwrap(Effect.sync(() => {
    const front = options.front ?? makeFrontRoutes()
    return HttpRouter.serve(routes, { disableLogger: true }).pipe(
      Layer.provideMerge(Layer.unwrap(Effect.map(ServerLimits, (limits: ServerLimitsShape) =>
        NodeHttpServer.layer(() => createApiServer(limits, front.handle), {
          port: options.port,
          ...(options.host === undefined ? {} : { host: options.host })
        })))),
      Layer.provide(Layer.succeed(FrontRoutes, front))
    )
  }))
