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

/** An encoded JPEG and its dimensions in pixels. */
export interface EncodedImage {
  readonly bytes: Uint8Array
  readonly width: number
  readonly height: number
}

/**
 * What processing makes of an original (SPEC §6): the served JPEG (longest side at most 4096 px) and a
 * 256×256 thumbnail.
 */
export interface ProcessedImage {
  readonly image: EncodedImage
  readonly thumbnail: EncodedImage
}

/** `maxPixels`: width × height above which an image is refused before it is decoded (SPEC §6, §8). */
export interface ProcessOptions {
  readonly maxPixels: number
}

/**
 * Port: an original's bytes to a `ProcessedImage` (SPEC §6). Fails `ImageRejected` (final: the file fails
 * with its reason) or `ProcessorError` (transient: retried while attempts remain).
 */
export class ImageProcessor extends Context.Service<ImageProcessor, {
  process(bytes: Uint8Array, options: ProcessOptions): Effect.Effect<ProcessedImage, ImageRejected | ProcessorError>
}>()("core/ImageProcessor") {}
