/**
 * AWS Lambda entry points. The runtime (SDK clients, sharp) is built once per
 * container, on the first invocation, and reused by later ones.
 *   handler: S3 ObjectCreated notifications on the bucket's `originals/` prefix
 *   sweepHandler: an EventBridge schedule (e.g. every minute)
 */
import { Layer, ManagedRuntime } from "effect"
import { Processing } from "@media/core/usecases/Processing"
import { AwsStorageLayer } from "../aws/AwsLayer.ts"
import { AppConfig } from "../config/AppConfig.ts"
import { imageProcessorLayer } from "../config/ImageProcessorLayer.ts"
import { ObservabilityLayer } from "../config/Observability.ts"
import { handleS3Event, sweep } from "./handleS3Event.ts"

export const LambdaLayer = Processing.layer.pipe(
  Layer.provideMerge(Layer.mergeAll(AwsStorageLayer, imageProcessorLayer)),
  // Kept in the runtime: the handler reads MEDIA_BUCKET from it.
  Layer.provideMerge(AppConfig.layer),
  Layer.provide(ObservabilityLayer)
)

// ManagedRuntime builds its layer lazily: nothing is read from the environment at import.
const runtime = ManagedRuntime.make(LambdaLayer)

export const handler = (event: unknown) => runtime.runPromise(handleS3Event(event))

export const sweepHandler = () => runtime.runPromise(sweep())
