/**
 * ImageProcessor in memory: sniffs the bytes like the real one and produces a
 * small fake JPEG, so use cases run without a codec. Dimensions come from PNG
 * and GIF headers (others report 1024x768); `transientFailures` makes the first
 * N calls fail as a crashed codec would.
 */
import { Effect, Layer } from "effect"
import { isAccepted, sniff } from "../ImageFormat.ts"
import { ImageProcessor, ImageRejected, type ProcessOptions, ProcessorError } from "../ports/ImageProcessor.ts"

const dimensions = (bytes: Uint8Array): readonly [number, number] | undefined => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const format = sniff(bytes)
  if (format === "png") return bytes.length >= 24 ? [view.getUint32(16), view.getUint32(20)] : undefined
  if (format === "gif") return bytes.length >= 10 ? [view.getUint16(6, true), view.getUint16(8, true)] : undefined
  return [1024, 768]
}

const fakeJpeg = (width: number, height: number) =>
  new Uint8Array([0xff, 0xd8, 0xff, 0xe0, width >> 8, width & 255, height >> 8, height & 255, 0xff, 0xd9])

/** `transientFailures`: how many first calls fail `ProcessorError` (default 0). */
export interface MemoryImageProcessorOptions {
  readonly transientFailures?: number
}

/** A memory `ImageProcessor` (see the module comment) with `options`. */
export const makeMemoryImageProcessor = (options: MemoryImageProcessorOptions = {}) =>
  Effect.sync(() => {
    let failuresLeft = options.transientFailures ?? 0
    const process = Effect.fnUntraced(function*(bytes: Uint8Array, opts: ProcessOptions) {
      if (failuresLeft > 0) {
        failuresLeft--
        return yield* new ProcessorError({ cause: new Error("simulated codec crash") })
      }
      const format = sniff(bytes)
      if (!isAccepted(format)) {
        return yield* new ImageRejected({ reason: "unsupported_format", message: `not an accepted image (${format})` })
      }
      const dims = dimensions(bytes)
      if (dims === undefined || dims[0] === 0 || dims[1] === 0) {
        return yield* new ImageRejected({ reason: "corrupt_image", message: "image header is unreadable" })
      }
      const [w, h] = dims
      if (w * h > opts.maxPixels) {
        return yield* new ImageRejected({ reason: "too_many_pixels", message: `${w}x${h} exceeds the pixel limit` })
      }
      const scale = Math.min(1, 4096 / Math.max(w, h))
      const width = Math.max(1, Math.round(w * scale))
      const height = Math.max(1, Math.round(h * scale))
      return {
        image: { bytes: fakeJpeg(width, height), width, height },
        thumbnail: { bytes: fakeJpeg(256, 256), width: 256, height: 256 }
      }
    })
    return ImageProcessor.of({ process })
  })

/** `ImageProcessor` in memory with `options`. */
export const layerMemory = (options: MemoryImageProcessorOptions = {}) =>
  Layer.effect(ImageProcessor, makeMemoryImageProcessor(options))
