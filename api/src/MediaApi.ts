/**
 * The whole HTTP contract. Served by apps/src/http/HttpApp.ts; the OpenAPI
 * document is generated from it (apps/src/http/ApiDocument.ts).
 */
import { HttpApi, OpenApi } from "effect/http-api"
import { describeApi } from "./documentation.ts"
import { MediaGroup } from "./MediaGroup.ts"
import { RequestGuard } from "./RequestGuard.ts"
import { SystemGroup } from "./SystemGroup.ts"

/**
 * The whole HTTP contract: the `media` (SPEC §3) and `system` groups behind `RequestGuard`; request bodies
 * with unknown properties are refused (400).
 */
export class MediaApi extends HttpApi.make("media-api")
  .add(MediaGroup)
  .add(SystemGroup)
  // Added last so it wraps the authentication middleware too.
  .middleware(RequestGuard)
  // Request bodies are decoded strictly (SPEC §7): an unknown property is a 400, not silently dropped.
  // Query strings are not: unknown parameters are ignored.
  .annotate(HttpApi.PayloadParseOptions, { onExcessProperty: "error" })
  .annotateMerge(OpenApi.annotations({
    title: "Media Object Storage",
    version: "1",
    description: "Photos linked to business entities: pre-signed uploads, processing, signed downloads.",
    license: { name: "MIT", identifier: "MIT" },
    // The document is served by the API itself, so its own origin is the server.
    servers: [{ url: "/", description: "The server this document was fetched from" }],
    transform: describeApi
  }))
{}
