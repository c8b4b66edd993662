/**
 * The API's handlers on memory ports without a socket, through `HttpApiTest`'s
 * in-memory typed client: the same request decoding, API middleware and
 * response encoding as the server, minus the router middleware (request ids,
 * CORS, access log) that only a served router has.
 */
import { Layer } from "effect"
import { HttpClientRequest, HttpServer } from "effect/http"
import { HttpApiMiddleware, HttpApiTest } from "effect/http-api"
import { layerMemory } from "@media-object-storage/core/memory/layerMemory"
import { Authentication } from "@media-object-storage/api/Authentication"
import { MediaApi } from "@media-object-storage/api/MediaApi"
import { ApiHandlers } from "../../src/http/HttpApp.ts"
import { Readiness } from "../../src/http/Readiness.ts"
import { tokens } from "./support.ts"

/** Handlers, middleware and `MediaFiles` on the memory ports (outputs the ports too, to seed or inspect). */
export const layerApiTest = ApiHandlers.pipe(
  Layer.provideMerge(Layer.mergeAll(layerMemory({ tokens }), Readiness.layerAlwaysReady, HttpServer.layerServices))
)

/** The typed client of every group, wired to the handlers in context. */
export const makeClient = HttpApiTest.groups(MediaApi, ["media", "system"])

/** Client-side Authentication: every request carries `Bearer <token>` (a key of `tokens`). */
export const as = (token: keyof typeof tokens) =>
  HttpApiMiddleware.layerClient(Authentication, ({ next, request }) => next(HttpClientRequest.bearerToken(request, token)))
