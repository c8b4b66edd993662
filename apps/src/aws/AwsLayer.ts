/**
 * aws mode: the same routes over S3, DynamoDB and CloudFront, configured from
 * the SPEC §8 variables and the AWS SDK's own. Processing happens in the
 * Lambdas (apps/src/lambda/object-created, sweep), not in the API server.
 */
import { Effect, Layer, Option } from "effect"
import * as CredentialsAuthenticator from "@media-object-storage/adapters/auth/CredentialsAuthenticator"
import * as CloudFrontUrlSigner from "@media-object-storage/adapters/cloudfront/CloudFrontUrlSigner"
import { FileIds } from "@media-object-storage/core/ports/FileIds"
import { AppConfig, requiredInAws } from "../config/AppConfig.ts"
import { MediaHttpRoutes } from "../http/HttpApp.ts"
import * as TableReadiness from "./TableReadiness.ts"
import { AwsStorageLayer } from "./AwsStorageLayer.ts"
import { cursorsLayer } from "./CursorSecret.ts"

export { AwsStorageLayer }

/** The aws-mode API server as `services` (ports, readiness) and `routes` (needs an HttpRouter). */
export const makeAws = Effect.gen(function*() {
  const config = yield* AppConfig
  const ports = Layer.mergeAll(
    AwsStorageLayer,
    CloudFrontUrlSigner.layer({
      baseUrl: yield* requiredInAws(config.cdnUrl, "MEDIA_CDN_URL"),
      keyPairId: yield* requiredInAws(config.cdnKeyPairId, "MEDIA_CDN_KEY_PAIR_ID"),
      privateKey: yield* requiredInAws(config.cdnPrivateKey, "MEDIA_CDN_PRIVATE_KEY")
    }),
    CredentialsAuthenticator.layer({
      authFile: Option.getOrUndefined(config.authFile),
      jwt: Option.getOrUndefined(config.jwt)
    }),
    cursorsLayer(config),
    FileIds.layer
  )
  return { services: TableReadiness.layer.pipe(Layer.provideMerge(ports)), routes: MediaHttpRoutes }
})

/** Routes of the aws-mode API server in one layer; needs an HttpRouter and AppConfig. */
export const AwsLayer = Layer.unwrap(
  Effect.map(makeAws, ({ routes, services }) => routes.pipe(Layer.provideMerge(services)))
)
