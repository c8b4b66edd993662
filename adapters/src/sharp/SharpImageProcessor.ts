/**
 * ImageProcessor on sharp/libvips (SPEC §6): sniff, check the header against
 * the pixel limit, decode once into capped sRGB pixels, encode image and thumbnail.
 */
import { Effect, Layer } from "effect"
import sharp, { type Raw } from "sharp"
import { isAccepted, sniff } from "@media/core/ImageFormat"
import {
  type EncodedImage,
  ImageProcessor,
  ImageRejected,
  type ProcessOptions
} from "@media/core/ports/ImageProcessor"
import { classifySharpError } from "./classifySharpError.ts"

export interface SharpImageProcessorOptions {
  /** libvips threads per image (default 1: parallelism comes from concurrent images, see docs/benchmarks.md). */
  readonly concurrency?: number
  /** JPEG quality of image and thumbnail (default 85). */
  readonly quality?: number
  /**
   * Abort one pipeline after this many seconds, as a transient ProcessorError (default 0 = off:
   * libvips progress signals cost ~5% throughput, and the pixel limit already bounds the work).
   */
  readonly timeoutSeconds?: number
}

export const MAX_SIDE = 4096
export const THUMBNAIL_SIDE = 256

const call = <A>(run: () => Promise<A>) => Effect.tryPromise({ try: run, catch: classifySharpError })

export const make = (options: SharpImageProcessorOptions = {}) =>
  Effect.sync(() => {
    const quality = options.quality ?? 85
    const timeout = { seconds: options.timeoutSeconds ?? 0 }
    // Both settings are process-wide in sharp. Every upload is new input, so
    // libvips' operation cache would only hold memory, never hit.
    sharp.concurrency(options.concurrency ?? 1)
    sharp.cache(false)
    // mozjpeg saves 9-13% bytes on real photos but costs ~7x the CPU per image
    // (docs/benchmarks.md); Huffman optimisation stays on (sharp default).
    const jpeg = { quality, mozjpeg: false, chromaSubsampling: "4:2:0" } as const

    const encode = (pixels: Buffer, raw: Raw, thumbnail: boolean) =>
      call(() => {
        const pipeline = sharp(pixels, { raw })
        if (thumbnail) pipeline.resize({ width: THUMBNAIL_SIDE, height: THUMBNAIL_SIDE, fit: "cover" })
        return pipeline.jpeg(jpeg).timeout(timeout).toBuffer({ resolveWithObject: true })
      }).pipe(Effect.map(({ data, info }): EncodedImage => ({ bytes: data, width: info.width, height: info.height })))

    const processImage = Effect.fnUntraced(function*(bytes: Uint8Array, opts: ProcessOptions) {
      const format = sniff(bytes)
      if (!isAccepted(format)) {
        return yield* new ImageRejected({ reason: "unsupported_format", message: `not an accepted image (${format})` })
      }
      // Header only, so no pixel limit yet: nothing is decoded until the count is known to be safe.
      const header = yield* call(() => sharp(bytes, { limitInputPixels: false }).metadata()).pipe(
        Effect.mapError((e) =>
          e._tag === "ImageRejected" ? e : new ImageRejected({ reason: "corrupt_image", message: "unreadable header" })
        )
      )
      if (header.format !== format) {
        return yield* new ImageRejected({ reason: "unsupported_format", message: `${format} magic but ${header.format} content` })
      }
      const { width, height } = header
      if (!(width > 0 && height > 0)) {
        return yield* new ImageRejected({ reason: "corrupt_image", message: "image header has no dimensions" })
      }
      if (width * height > opts.maxPixels) {
        return yield* new ImageRejected({ reason: "too_many_pixels", message: `${width}x${height} exceeds ${opts.maxPixels} pixels` })
      }
      // The single decode: first frame, upright, on white, sRGB, capped. Its raw
      // pixels feed both encoders, so no metadata can reach the outputs.
      const decoded = yield* call(() =>
        sharp(bytes, { failOn: "error", limitInputPixels: opts.maxPixels, autoOrient: true, pages: 1 })
          .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: "inside", withoutEnlargement: true })
          .flatten({ background: "#ffffff" })
          .toColourspace("srgb")
          .raw({ depth: "uchar" })
          .timeout(timeout)
          .toBuffer({ resolveWithObject: true })
      )
      const raw: Raw = { width: decoded.info.width, height: decoded.info.height, channels: decoded.info.channels }
      const [image, thumbnail] = yield* Effect.all(
        [encode(decoded.data, raw, false), encode(decoded.data, raw, true)],
        { concurrency: 2 }
      )
      return { image, thumbnail }
    })

    return ImageProcessor.of({ process: processImage })
  })

export const layer = Layer.effect(ImageProcessor, make())
