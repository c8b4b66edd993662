/**
 * The whole HTTP contract. Served by apps/src/http/HttpApp.ts; the OpenAPI
 * document is generated from it.
 */
import { HttpApi, OpenApi } from "effect/http-api"
import { MediaGroup } from "./MediaGroup.ts"
import { RequestGuard } from "./RequestGuard.ts"
import { SystemGroup } from "./SystemGroup.ts"

export class MediaApi extends HttpApi.make("media-api")
  .add(MediaGroup)
  .add(SystemGroup)
  // Added last so it wraps the authentication middleware too.
  .middleware(RequestGuard)
  .annotateMerge(OpenApi.annotations({
    title: "Media Object Storage",
    version: "1",
    description: "Photos linked to business entities: pre-signed uploads, processing, signed downloads."
  }))
{}
