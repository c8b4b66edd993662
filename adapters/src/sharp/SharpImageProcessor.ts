/**
 * ImageProcessor on sharp/libvips (SPEC §6): sniff, check the header against
 * the pixel limit, decode once into capped sRGB pixels, encode image and thumbnail,
 * all image work bounded by one processing gate per process (issue 8.5).
 */
import { Effect, Layer } from "effect"
import sharp, { type Raw } from "sharp"
import { isAccepted, sniff } from "@media-object-storage/core/ImageFormat"
import {
  type EncodedImage,
  ImageProcessor,
  ImageRejected,
  type ProcessOptions
} from "@media-object-storage/core/ports/ImageProcessor"
import { classifySharpError } from "./classifySharpError.ts"
import { decodedBytes } from "./decodedBytes.ts"
import { pipelineColourspace } from "./pipelineColourspace.ts"
import * as ProcessingGate from "./ProcessingGate.ts"

export interface SharpImageProcessorOptions {
  /** libvips threads per image (default 1: parallelism comes from concurrent images, see docs/benchmarks.md). */
  readonly libvipsThreads?: number
  /** Images decoded and encoded at once by this processor, whoever calls it (default 2). */
  readonly maxConcurrentImages?: number
  /**
   * Estimated bytes of the images in flight (default 1 GiB, see `decodedBytes`): large images run
   * one at a time, small ones side by side; one larger than the whole budget runs alone.
   */
  readonly memoryBudgetBytes?: number
  /** A gate to share instead of building one from the two options above (tests, several processors). */
  readonly gate?: ProcessingGate.ProcessingGate
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

/**
 * Builds the processor and its gate. Build one per process (the apps' layer is built once and
 * shared by the dispatcher, the sweeper and recovery), so the bound covers all image work;
 * sharp's own settings (`concurrency`, `cache`) are process-wide anyway.
 */
export const make = (options: SharpImageProcessorOptions = {}) =>
  Effect.gen(function*() {
    const quality = options.quality ?? 85
    const timeout = { seconds: options.timeoutSeconds ?? 0 }
    const gate = options.gate ?? (yield* ProcessingGate.make({
      maxImages: options.maxConcurrentImages ?? ProcessingGate.DEFAULT_MAX_IMAGES,
      budgetBytes: options.memoryBudgetBytes ?? ProcessingGate.DEFAULT_BUDGET_BYTES
    }))
    // Both settings are process-wide in sharp. Every upload is new input, so
    // libvips' operation cache would only hold memory, never hit.
    sharp.concurrency(options.libvipsThreads ?? 1)
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
      // The single decode: first frame, upright, sRGB (explicitly, see pipelineColourspace), on
      // white, capped. Its raw pixels feed both encoders, so no metadata or profile reaches the outputs.
      const space = pipelineColourspace(header)
      const decodeAndEncode = Effect.gen(function*() {
        const decoded = yield* call(() => {
          const pipeline = sharp(bytes, { failOn: "error", limitInputPixels: opts.maxPixels, autoOrient: true, pages: 1 })
          if (space !== undefined) pipeline.pipelineColourspace(space)
          return pipeline
            .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: "inside", withoutEnlargement: true })
            .flatten({ background: "#ffffff" })
            .toColourspace("srgb")
            .raw({ depth: "uchar" })
            .timeout(timeout)
            .toBuffer({ resolveWithObject: true })
        })
        const raw: Raw = { width: decoded.info.width, height: decoded.info.height, channels: decoded.info.channels }
        return yield* Effect.all(
          [encode(decoded.data, raw, false), encode(decoded.data, raw, true)],
          { concurrency: 2 }
        )
      })
      const [image, thumbnail] = yield* gate.run(decodedBytes(header, MAX_SIDE))(decodeAndEncode)
      return { image, thumbnail }
    })

    return ImageProcessor.of({ process: processImage })
  })

export const layer = Layer.effect(ImageProcessor, make())
