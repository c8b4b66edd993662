/**
 * Settings of the HTTP layer. A reference with defaults, so tests need not
 * provide it; the app overrides it from the environment with `layerFromEnv`.
 */
import { Config, Context, Effect, Layer } from "effect"

export interface HttpConfigShape {
  /** Largest JSON request body the API reads; larger ones get 413. */
  readonly bodyLimitBytes: number
  /** Origins allowed by CORS; `["*"]` allows any. */
  readonly corsOrigins: ReadonlyArray<string>
  /** One JSON access-log line per request. */
  readonly logRequests: boolean
  /**
   * Serve `GET`/`HEAD /v1/media/{file_id}` through the lean route (FastGetFile.ts) on Node's server;
   * false leaves every request to HttpApi. Same answers either way (apps/test/http/FastGetFile.test.ts).
   */
  readonly fastReads: boolean
}

export const defaultHttpConfig: HttpConfigShape = {
  bodyLimitBytes: 64 * 1024,
  corsOrigins: ["*"],
  logRequests: true,
  fastReads: true
}

export const HttpConfig = Context.Reference<HttpConfigShape>("apps/http/HttpConfig", {
  defaultValue: () => defaultHttpConfig
})

/**
 * `MEDIA_CORS_ORIGINS`: comma-separated, default `*`. The one definition of the variable: AppConfig
 * reads it through this too, for the embedded upload endpoint's CORS.
 */
export const corsOrigins = Config.String("MEDIA_CORS_ORIGINS").pipe(
  Config.withDefault("*"),
  Config.map((origins) => origins.split(",").map((origin) => origin.trim()).filter((origin) => origin !== ""))
)

/** `MEDIA_CORS_ORIGINS` (see `corsOrigins`), `MEDIA_HTTP_BODY_LIMIT` (bytes), `MEDIA_HTTP_LOG`; the lean read route on. */
export const layerFromEnv = Layer.effect(
  HttpConfig,
  Effect.gen(function*() {
    const bodyLimitBytes = yield* Config.Int("MEDIA_HTTP_BODY_LIMIT").pipe(
      Config.withDefault(defaultHttpConfig.bodyLimitBytes)
    )
    const logRequests = yield* Config.Boolean("MEDIA_HTTP_LOG").pipe(Config.withDefault(true))
    return {
      bodyLimitBytes,
      corsOrigins: yield* corsOrigins,
      logRequests,
      fastReads: defaultHttpConfig.fastReads
    }
  })
)
