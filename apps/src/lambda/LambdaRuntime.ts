/**
 * What every Lambda entry shares: the runtime is built once per container, lazily at the first
 * invocation (nothing is read from the environment at import), with secrets resolved from their
 * ARNs first, JSON logs at MEDIA_LOG_LEVEL, and each invocation's logs annotated with its request id.
 */
import { ConfigProvider, Effect, Layer, ManagedRuntime } from "effect"
import { ObservabilityLayer } from "../config/Observability.ts"
import type { LambdaContext } from "./LambdaContext.ts"
import { resolveSecretRefs } from "./SecretRefs.ts"

/** The environment with secret references resolved, as the ConfigProvider every layer reads. */
export const SecretsConfigLayer = ConfigProvider.layer(
  Effect.suspend(() => resolveSecretRefs(process.env)).pipe(
    Effect.map((env) => ConfigProvider.fromEnv({ env })),
    Effect.provide(ObservabilityLayer)
  )
)

/** `layer` plus logging, under the resolved configuration; build it with `ManagedRuntime.make`. */
export const lambdaLayer = <A, E, R>(layer: Layer.Layer<A, E, R>) =>
  layer.pipe(Layer.provideMerge(ObservabilityLayer), Layer.provide(SecretsConfigLayer))

/** A runtime for `layer`, built at its first use and kept for the container's life. */
export const lambdaRuntime = <A, E>(layer: Layer.Layer<A, E, never>) => ManagedRuntime.make(lambdaLayer(layer))

/** Runs one invocation's work with its request id on every log line. */
export const invocation = <A, E, R>(context: LambdaContext | undefined, effect: Effect.Effect<A, E, R>) =>
  effect.pipe(Effect.annotateLogs({ aws_request_id: context?.awsRequestId ?? "unknown" }))
