/**
 * The whole server, in the mode MEDIA_MODE selects, listening on PORT.
 */
import { Effect, Layer, Logger } from "effect"
import { AwsLayer } from "../aws/AwsLayer.ts"
import { AppConfig } from "../config/AppConfig.ts"
import { EmbeddedLayer } from "../embedded/EmbeddedLayer.ts"
import { serve } from "../http/HttpApp.ts"
import * as HttpConfig from "../http/HttpConfig.ts"

export const ServerLayer = Layer.unwrap(Effect.gen(function*() {
  const config = yield* AppConfig
  const routes = config.mode === "aws" ? AwsLayer : EmbeddedLayer
  return serve(routes, { port: config.port }).pipe(
    Layer.tap(() => Effect.logInfo("media object storage listening", { mode: config.mode, port: config.port })),
    Layer.provide(HttpConfig.layerFromEnv)
  )
})).pipe(
  Layer.provide(AppConfig.layer),
  // One JSON object per line, for log shippers.
  Layer.provide(Logger.layer([Logger.consoleJson]))
)
