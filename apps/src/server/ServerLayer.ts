/**
 * The whole server, in the mode MEDIA_MODE selects, listening on PORT.
 */
import { Effect, Layer } from "effect"
import { makeAws } from "../aws/AwsLayer.ts"
import { AppConfig } from "../config/AppConfig.ts"
import { ObservabilityLayer } from "../config/Observability.ts"
import { makeEmbedded } from "../embedded/EmbeddedLayer.ts"
import { serve } from "../http/HttpApp.ts"
import * as HttpConfig from "../http/HttpConfig.ts"

interface Parts<RO, E1, R1, E2, R2> {
  readonly services: Layer.Layer<RO, E1, R1>
  readonly routes: Layer.Layer<never, E2, R2>
}

// The services (stores, keys) are built before the server listens: no request waits on a missing handler.
const listen = (port: number) => <RO, E1, R1, E2, R2>(parts: Parts<RO, E1, R1, E2, R2>) =>
  serve(parts.routes, { port }).pipe(Layer.provide(parts.services))

export const ServerLayer = Layer.unwrap(Effect.gen(function*() {
  const config = yield* AppConfig
  const server = config.mode === "aws" ? listen(config.port)(yield* makeAws) : listen(config.port)(yield* makeEmbedded)
  return server.pipe(
    Layer.tap(() => Effect.logInfo("media object storage listening", { mode: config.mode, port: config.port })),
    Layer.provide(HttpConfig.layerFromEnv)
  )
})).pipe(
  Layer.provide(AppConfig.layer),
  Layer.provide(ObservabilityLayer)
)
