/**
 * The service's configuration (SPEC §8), read from the environment through
 * Effect's Config when a layer is built — never at import time.
 */
import { Config, Context, Effect, Layer, Option, type Redacted } from "effect"
import { defaultMediaConfig, MediaConfig } from "@media-object-storage/core/MediaConfig"
// The gate's defaults only: this module must not load sharp (the aws API never processes).
import { DEFAULT_BUDGET_BYTES, DEFAULT_MAX_IMAGES } from "@media-object-storage/adapters/sharp/ProcessingGate"
import type { JwtOptions } from "@media-object-storage/adapters/auth/JwtVerifier"
import { corsOrigins } from "../http/HttpConfig.ts"

export type Mode = "embedded" | "aws"

export interface AppConfigShape {
  readonly port: number
  /** Address the server listens on (`HOST`, default `::`: every IPv6 and IPv4 address where dual-stack). */
  readonly host: string
  readonly mode: Mode
  readonly dataDir: string
  readonly publicUrl: string
  /** Embedded: defaults to `<dataDir>/credentials.json`, created on first start. */
  readonly authFile: Option.Option<string>
  readonly maxUploadBytes: number
  readonly maxPixels: number
  readonly corsOrigins: ReadonlyArray<string>
  /** How long one processing attempt may hold a file before it is retried. */
  readonly leaseSeconds: number
  /** Images decoded and encoded at once in this process, all callers together (dispatcher, sweeper, recovery). */
  readonly processingConcurrency: number
  /** MiB: estimated decoded size of the images in flight; large images wait for room, one above it runs alone. */
  readonly processingMemoryMb: number
  readonly bucket: Option.Option<string>
  readonly table: Option.Option<string>
  readonly cdnUrl: Option.Option<string>
  readonly cdnKeyPairId: Option.Option<string>
  readonly cdnPrivateKey: Option.Option<Redacted.Redacted<string>>
  /** HMAC secret for search cursors; embedded generates one, aws derives one from the CDN key if unset. */
  readonly cursorSecret: Option.Option<Redacted.Redacted<string>>
  /**
   * Signed JWT bearer tokens (SPEC §5), when MEDIA_JWT_JWKS_URL or MEDIA_JWT_PUBLIC_KEY (PEM) is set;
   * MEDIA_JWT_ISSUER and MEDIA_JWT_AUDIENCE are checked when given. Both modes.
   */
  readonly jwt: Option.Option<JwtOptions>
}

const positive = (name: string, fallback: number) =>
  Effect.gen(function*() {
    const n = yield* Config.Int(name).pipe(Config.withDefault(fallback))
    if (n <= 0) return yield* Effect.fail(new Error(`${name} must be a positive integer`))
    return n
  })

const optionalString = (name: string) => Config.option(Config.NonEmptyString(name))

export const appConfig = Effect.gen(function*() {
  const port = yield* Config.Port("PORT").pipe(Config.withDefault(8080))
  const mode = yield* Config.Literals(["embedded", "aws"], "MEDIA_MODE").pipe(Config.withDefault("embedded" as const))
  const dataDir = yield* Config.NonEmptyString("MEDIA_DATA_DIR").pipe(Config.withDefault("./data"))
  const publicUrl = yield* Config.NonEmptyString("MEDIA_PUBLIC_URL").pipe(
    Config.withDefault(`http://localhost:${port}`)
  )
  const config: AppConfigShape = {
    port,
    host: yield* Config.NonEmptyString("HOST").pipe(Config.withDefault("::")),
    mode,
    dataDir,
    publicUrl: publicUrl.replace(/\/+$/, ""),
    authFile: yield* optionalString("MEDIA_AUTH_FILE"),
    maxUploadBytes: yield* positive("MEDIA_MAX_UPLOAD_BYTES", defaultMediaConfig.maxUploadBytes),
    maxPixels: yield* positive("MEDIA_MAX_PIXELS", defaultMediaConfig.maxPixels),
    leaseSeconds: yield* positive("MEDIA_LEASE_SECONDS", defaultMediaConfig.leaseSeconds),
    processingConcurrency: yield* positive("MEDIA_PROCESSING_CONCURRENCY", DEFAULT_MAX_IMAGES),
    processingMemoryMb: yield* positive("MEDIA_PROCESSING_MEMORY_MB", DEFAULT_BUDGET_BYTES / 2 ** 20),
    corsOrigins: yield* corsOrigins,
    bucket: yield* optionalString("MEDIA_BUCKET"),
    table: yield* optionalString("MEDIA_TABLE"),
    cdnUrl: yield* optionalString("MEDIA_CDN_URL"),
    cdnKeyPairId: yield* optionalString("MEDIA_CDN_KEY_PAIR_ID"),
    cdnPrivateKey: yield* Config.option(Config.Redacted("MEDIA_CDN_PRIVATE_KEY")),
    cursorSecret: yield* Config.option(Config.Redacted("MEDIA_CURSOR_SECRET")),
    jwt: yield* jwtOptions
  }
  return config
})

/** The value of an aws-mode setting, or a failure naming the variable when it is unset. */
export const requiredInAws = <A>(value: Option.Option<A>, variable: string): Effect.Effect<A, Error> =>
  Option.match(value, {
    onNone: () => Effect.fail(new Error(`${variable} is required when MEDIA_MODE=aws`)),
    onSome: Effect.succeed
  })

const jwtOptions = Effect.gen(function*() {
  const jwksUrl = yield* optionalString("MEDIA_JWT_JWKS_URL")
  const publicKeyPem = yield* optionalString("MEDIA_JWT_PUBLIC_KEY")
  if (Option.isNone(jwksUrl) && Option.isNone(publicKeyPem)) return Option.none<JwtOptions>()
  const issuer = yield* optionalString("MEDIA_JWT_ISSUER")
  const audience = yield* optionalString("MEDIA_JWT_AUDIENCE")
  return Option.some<JwtOptions>({
    jwksUrl: Option.getOrUndefined(jwksUrl),
    publicKeyPem: Option.getOrUndefined(publicKeyPem),
    issuer: Option.getOrUndefined(issuer),
    audience: Option.getOrUndefined(audience)
  })
})

export class AppConfig extends Context.Service<AppConfig, AppConfigShape>()("apps/AppConfig") {
  static readonly layer = Layer.effect(AppConfig, appConfig)
}

/** The core's limits, from the app's configuration. */
export const mediaConfigLayer = Layer.effect(
  MediaConfig,
  Effect.gen(function*() {
    const config = yield* AppConfig
    return {
      ...defaultMediaConfig,
      maxUploadBytes: config.maxUploadBytes,
      maxPixels: config.maxPixels,
      leaseSeconds: config.leaseSeconds
    }
  })
)
