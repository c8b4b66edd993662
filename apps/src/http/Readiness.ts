/**
 * What `GET /readyz` checks. The app supplies a check that reaches its
 * dependencies (metadata store, object store); the default is always ready.
 */
import { Context, Effect, Layer } from "effect"

export class Readiness extends Context.Service<Readiness, {
  /** Succeeds when the service can serve requests; any failure means 503. */
  readonly check: Effect.Effect<void, unknown>
}>()("apps/Readiness") {
  static readonly layerAlwaysReady = Layer.succeed(Readiness, Readiness.of({ check: Effect.void }))
}
