/**
 * The whole server, in the mode MEDIA_MODE selects, listening on HOST:PORT
 * with the connection limits of ServerLimits.
 */
import { Effect, Layer } from "effect"
import { makeAws } from "../aws/AwsLayer.ts"
import { AppConfig } from "../config/AppConfig.ts"
import { ObservabilityLayer } from "../config/Observability.ts"
import { makeEmbedded } from "../embedded/EmbeddedLayer.ts"
import { serve } from "../http/HttpApp.ts"
import * as HttpConfig from "../http/HttpConfig.ts"
import * as ServerLimits from "../http/ServerLimits.ts"

interface Parts<RO, E1, R1, E2, R2> {
  readonly services: Layer.Layer<RO, E1, R1>
  readonly routes: Layer.Layer<never, E2, R2>
}

// The services (stores, keys) are built before the server listens: no request waits on a missing handler.
const listen = (port: number, host: string) => <RO, E1, R1, E2, R2>(parts: Parts<RO, E1, R1, E2, R2>) =>
  serve(parts.routes, { port, host }).pipe(Layer.provide(parts.services))

export const ServerLayer = Layer.unwrap(Effect.gen(function*() {
  const config = yield* AppConfig
  const on = listen(config.port, config.host)
  const server = config.mode === "aws" ? on(yield* makeAws) : on(yield* makeEmbedded)
  return server.pipe(
    Layer.tap(() =>
      Effect.logInfo("media object storage listening", {
        mode: config.mode,
        host: config.host,
        port: config.port,
        // Where a person goes next (embedded: the public URL also serves the web app).
        api: `${config.publicUrl}/v1/media`,
        docs: `${config.publicUrl}/docs`,
        ...(config.mode === "embedded" ? { app: `${config.publicUrl}/app/` } : {})
      })
    ),
    Layer.provide([HttpConfig.layerFromEnv, ServerLimits.layerFromEnv])
  )
})).pipe(
  Layer.provide(AppConfig.layer),
  Layer.provide(ObservabilityLayer)
)
