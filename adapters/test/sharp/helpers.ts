/**
 * Shared checks for the sharp adapter tests: fixtures, running the processor,
 * and inspecting JPEG outputs (markers, metadata, pixels).
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { assert } from "@effect/vitest"
import { Effect, Result } from "effect"
import sharp, { type OutputInfo } from "sharp"
import type { EncodedImage, ImageRejected, ProcessedImage } from "@media-object-storage/core/ports/ImageProcessor"
import { ImageProcessor } from "@media-object-storage/core/ports/ImageProcessor"

export const fixture = (path: string): Uint8Array =>
  readFileSync(join(import.meta.dirname, "..", "fixtures", "images", path))

export const DEFAULT_MAX_PIXELS = 100_000_000

export const processBytes = (bytes: Uint8Array, maxPixels = DEFAULT_MAX_PIXELS) =>
  Effect.gen(function*() {
    return yield* (yield* ImageProcessor).process(bytes, { maxPixels })
  })

/** The processor must succeed; returns the outputs. */
export const ready = (bytes: Uint8Array, maxPixels?: number) => processBytes(bytes, maxPixels)

/** The processor must reject with exactly `reason`; a success or a ProcessorError fails the test. */
export const rejected = (bytes: Uint8Array, reason: ImageRejected["reason"], maxPixels?: number) =>
  Effect.gen(function*() {
    const result = yield* Effect.result(processBytes(bytes, maxPixels))
    assert.isTrue(Result.isFailure(result), `expected ${reason}, got success`)
    if (Result.isFailure(result)) {
      assert.strictEqual(result.failure._tag, "ImageRejected", String(result.failure))
      if (result.failure._tag === "ImageRejected") assert.strictEqual(result.failure.reason, reason, result.failure.message)
    }
  })

/** JPEG segment markers before the scan: APPn (0xE0-0xEF), COM (0xFE), DQT, SOF… */
export const jpegMarkers = (bytes: Uint8Array): ReadonlyArray<number> => {
  const markers: Array<number> = []
  let i = 2
  while (i + 4 <= bytes.length && bytes[i] === 0xff) {
    const marker = bytes[i + 1]!
    markers.push(marker)
    if (marker === 0xda) break
    i += 2 + ((bytes[i + 2]! << 8) | bytes[i + 3]!)
  }
  return markers
}

/** A served JPEG: magic bytes, sizes that match the header, sRGB, and nothing but JFIF before the scan. */
export const assertCleanJpeg = (out: EncodedImage) =>
  Effect.promise(() => sharp(out.bytes).metadata()).pipe(Effect.map((meta) => {
    assert.deepStrictEqual([...out.bytes.subarray(0, 3)], [0xff, 0xd8, 0xff])
    assert.strictEqual(meta.format, "jpeg")
    assert.deepStrictEqual([meta.width, meta.height], [out.width, out.height])
    assert.strictEqual(meta.channels, 3)
    assert.strictEqual(meta.space, "srgb")
    assert.isUndefined(meta.exif)
    assert.isUndefined(meta.xmp)
    assert.isUndefined(meta.icc)
    assert.isUndefined(meta.iptc)
    assert.isUndefined(meta.comments)
    const extra = jpegMarkers(out.bytes).filter((m) => (m >= 0xe1 && m <= 0xef) || m === 0xfe)
    assert.deepStrictEqual(extra, [], "only JFIF APP0 may precede the scan")
  }))

export const assertServable = (processed: ProcessedImage) =>
  Effect.gen(function*() {
    yield* assertCleanJpeg(processed.image)
    yield* assertCleanJpeg(processed.thumbnail)
    assert.isAtMost(Math.max(processed.image.width, processed.image.height), 4096)
    assert.deepStrictEqual([processed.thumbnail.width, processed.thumbnail.height], [256, 256])
  })

/** Raw sRGB pixels of a JPEG output. */
export const pixels = (bytes: Uint8Array) =>
  Effect.promise(() => sharp(bytes).raw().toBuffer({ resolveWithObject: true }))

export const pixelAt = (image: { data: Buffer; info: OutputInfo }, x: number, y: number) => {
  const i = (y * image.info.width + x) * image.info.channels
  return [...image.data.subarray(i, i + 3)]
}

/** Mean absolute difference of two images, downscaled to 60x60 greyscale, in 0…255 levels. */
export const greyDistance = (a: Uint8Array, b: Uint8Array) =>
  Effect.gen(function*() {
    const small = (x: Uint8Array) =>
      Effect.promise(() => sharp(x).resize(60, 60, { fit: "fill" }).greyscale().raw().toBuffer())
    const [pa, pb] = yield* Effect.all([small(a), small(b)])
    let sum = 0
    for (let i = 0; i < pa.length; i++) sum += Math.abs(pa[i]! - pb[i]!)
    return sum / pa.length
  })
