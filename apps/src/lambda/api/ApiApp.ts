/**
 * The aws-mode HTTP API as one web handler (`HttpRouter.toWebHandler`): the same routes, middleware,
 * `/healthz`, `/readyz`, `/openapi.json` and `/docs` as the server, without a Node HTTP server.
 */
import { Effect, Layer } from "effect"
import { HttpRouter } from "effect/http"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { makeAws } from "../../aws/AwsLayer.ts"
import { AppConfig } from "../../config/AppConfig.ts"
import * as HttpConfig from "../../http/HttpConfig.ts"
import { lambdaLayer } from "../LambdaRuntime.ts"

/** Routes and their services, configured from the (secret-resolved) environment when built. */
export const ApiAppLayer = lambdaLayer(
  Layer.unwrap(Effect.map(makeAws, ({ routes, services }) => routes.pipe(Layer.provideMerge(services)))).pipe(
    // Files (the docs script) and ETags, as NodeHttpServer.layer gives the server; kept for requests.
    Layer.provideMerge(NodeHttpServer.layerHttpServices),
    Layer.provide(HttpConfig.layerFromEnv),
    Layer.provide(AppConfig.layer)
  )
)

/** A web handler over `ApiAppLayer`; the layer is built on its first request and kept. */
export const makeApiHandler = () => HttpRouter.toWebHandler(ApiAppLayer, { disableLogger: true })
