/**
 * For Effect users: the API's typed client, derived by `HttpApiClient` from
 * the HttpApi contract the server is built from (`apps/src/http/api/MediaApi.ts`),
 * so requests, responses and errors (`FileNotFoundError`, `InvalidRequestError`, …)
 * are the contract's own schemas. Needs an `HttpClient` (e.g. `FetchHttpClient.layer`).
 *
 * ```ts
 * const program = Effect.gen(function*() {
 *   const media = yield* MediaApiClient
 *   const page = yield* media.media.search({ query: { entity_type: "shipment_item", entity_id: "1RT823V93" } })
 * }).pipe(Effect.provide(MediaApiClient.layerFetch({ baseUrl, auth: { token } })))
 * ```
 */
import { Context, Layer } from "effect"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "effect/http"
import { HttpApiClient } from "effect/http-api"
import { MediaApi } from "@media-object-storage/api/MediaApi"
import { authorizationHeader } from "./ApiCaller.ts"
import type { MediaAuth } from "./ClientOptions.ts"

export { MediaApi }
/**
 * `getFile` and `deleteFile` take their `file_id` as a `FileId` (a lowercase UUID), decoded once:
 * `Schema.decodeSync(FileId)(id)`; the typed `requestUpload` answers one already decoded.
 */
export { FileId } from "@media-object-storage/core/Ids"
/** The contract's error classes, as the typed client fails with them (SPEC §7). */
export {
  FileNotFoundError,
  ForbiddenError,
  InternalError,
  InvalidRequestError,
  NotReadyError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError
} from "@media-object-storage/api/ApiErrors"

/** Where the API is and who calls it; see `MediaClientOptions`. */
export interface MediaApiClientOptions {
  /** The API's origin, e.g. `http://localhost:8080`. */
  readonly baseUrl: string
  readonly auth: MediaAuth
}

/** The typed client of `MediaApi`: `client.media.requestUpload`, `search`, `getFile`, `deleteFile`; `client.system.healthz`, `readyz`. */
export type MediaApiClientShape = HttpApiClient.ForApi<typeof MediaApi>

/** Builds the typed client over the `HttpClient` in context, sending `auth` with every request. */
export const make = (options: MediaApiClientOptions) =>
  HttpApiClient.make(MediaApi, {
    baseUrl: options.baseUrl,
    transformClient: HttpClient.mapRequest(HttpClientRequest.setHeader("authorization", authorizationHeader(options.auth)))
  })

/** The typed client as a service. */
export class MediaApiClient extends Context.Service<MediaApiClient, MediaApiClientShape>()("@media-object-storage/client/MediaApiClient") {
  /** The client over the `HttpClient` the layer is given. */
  static layer = (options: MediaApiClientOptions) => Layer.effect(MediaApiClient, make(options))
  /** The client over the platform's `fetch`. */
  static layerFetch = (options: MediaApiClientOptions) =>
    MediaApiClient.layer(options).pipe(Layer.provide(FetchHttpClient.layer))
}

