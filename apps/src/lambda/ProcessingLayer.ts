/**
 * The ports of the processing Lambdas (object-created, sweep): S3, DynamoDB and sharp, configured
 * from the environment when first built. Neither the HTTP app nor anything embedded is loaded.
 */
import { Layer } from "effect"
import { Processing } from "@media-object-storage/core/usecases/Processing"
import { AwsStorageLayer } from "../aws/AwsStorageLayer.ts"
import { AppConfig } from "../config/AppConfig.ts"
import { imageProcessorLayer } from "../config/ImageProcessorLayer.ts"

/**
 * The `Processing` service over storage, metadata and the image processor, and AppConfig (the
 * object-created handler reads MEDIA_BUCKET from it).
 */
export const ProcessingLayer = Processing.layer.pipe(
  Layer.provideMerge(Layer.mergeAll(AwsStorageLayer, imageProcessorLayer)),
  Layer.provideMerge(AppConfig.layer)
)
