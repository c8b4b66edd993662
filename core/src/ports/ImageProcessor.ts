/**
 * Port: turns an uploaded original into the served JPEG and its thumbnail
 * (SPEC §6). Decides by the bytes, never by the declared type.
 */
import { Context, type Effect, Schema } from "effect"

/** The upload is not an image we accept; final, never retried. */
export class ImageRejected extends Schema.TaggedError<ImageRejected>()("ImageRejected", {
  reason: Schema.Literals(["unsupported_format", "corrupt_image", "too_many_pixels"]),
  message: Schema.String
}) {}

/** Something went wrong that a retry may fix (resources, a crash of the codec). */
export class ProcessorError extends Schema.TaggedError<ProcessorError>()("ProcessorError", {
  cause: Schema.Defect()
}) {}

export interface EncodedImage {
  readonly bytes: Uint8Array
  readonly width: number
  readonly height: number
}

export interface ProcessedImage {
  readonly image: EncodedImage
  readonly thumbnail: EncodedImage
}

export interface ProcessOptions {
  readonly maxPixels: number
}

export class ImageProcessor extends Context.Service<ImageProcessor, {
  process(bytes: Uint8Array, options: ProcessOptions): Effect.Effect<ProcessedImage, ImageRejected | ProcessorError>
}>()("core/ImageProcessor") {}
