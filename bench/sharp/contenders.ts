/**
 * The three ways of doing the SPEC §6 work that the benchmark compares, plus the
 * variants we measured before choosing ours. Each turns JPEG bytes into image + thumbnail.
 */
import { execFile } from "node:child_process"
import { dirname, join } from "node:path"
import { promisify } from "node:util"
import { Effect } from "effect"
import sharp from "sharp"
import * as SharpImageProcessor from "../../adapters/src/sharp/SharpImageProcessor.ts"

export type Contender = (bytes: Buffer) => Promise<unknown>

const maxPixels = 100_000_000
const jpeg = { quality: 85, mozjpeg: false } as const
const inside = { width: 4096, height: 4096, fit: "inside", withoutEnlargement: true } as const
const cover = { width: 256, height: 256, fit: "cover" } as const
const open = (bytes: Buffer) =>
  sharp(bytes, { failOn: "error", limitInputPixels: maxPixels, autoOrient: true, pages: 1 })
    .resize(inside).flatten({ background: "#ffffff" }).toColourspace("srgb")

/** (a) The adapter, through its Effect API, as the use case calls it. */
export const ours = (options: SharpImageProcessor.SharpImageProcessorOptions = {}): Contender => {
  const processor = Effect.runSync(SharpImageProcessor.make(options))
  return (bytes) => Effect.runPromise(processor.process(bytes, { maxPixels }))
}

/** (a') The adapter with more libvips threads per image; sharp.concurrency is global, so set it per call. */
export const oursWithThreads = (threads: number): Contender => {
  const run = ours()
  return (bytes) => {
    sharp.concurrency(threads)
    return run(bytes).finally(() => sharp.concurrency(1))
  }
}

/** (b) The same work hand-written on sharp's promise API: header, one decode, two encodes. */
export const minimal = (mozjpeg = false): Contender => async (bytes) => {
  await sharp(bytes).metadata()
  const { data, info } = await open(bytes).raw().toBuffer({ resolveWithObject: true })
  const raw = { width: info.width, height: info.height, channels: info.channels }
  return Promise.all([
    sharp(data, { raw }).jpeg({ ...jpeg, mozjpeg }).toBuffer(),
    sharp(data, { raw }).resize(cover).jpeg({ ...jpeg, mozjpeg }).toBuffer()
  ])
}

/** Variant: two independent pipelines from the original (the thumbnail one shrinks on load). */
export const twoPipelines: Contender = async (bytes) => {
  await sharp(bytes).metadata()
  return Promise.all([open(bytes).jpeg(jpeg).toBuffer(), open(bytes).resize(cover).jpeg(jpeg).toBuffer()])
}

/** Variant: encode the image, then make the thumbnail from that JPEG. */
export const thumbnailFromOutput: Contender = async (bytes) => {
  await sharp(bytes).metadata()
  const image = await open(bytes).jpeg(jpeg).toBuffer()
  return sharp(image).resize(cover).jpeg(jpeg).toBuffer()
}

/**
 * (c) ImageMagick 6 `convert`, one process per image, decoding once and writing
 * both outputs. It reads the input file itself (already on disk, in the page cache).
 */
export const imageMagick = (inputPath: string): Contender => {
  const dir = dirname(inputPath) // the benchmark's temp dir, removed at the end
  let n = 0
  return () => {
    const id = n++ % 8
    return promisify(execFile)("/usr/bin/convert", [
      inputPath,
      "-auto-orient", "-strip", "-background", "white", "-flatten", "-colorspace", "sRGB",
      "-resize", "4096x4096>", "-quality", "85", "-write", join(dir, `out-${id}.jpg`),
      "-thumbnail", "256x256^", "-gravity", "center", "-extent", "256x256", join(dir, `thumb-${id}.jpg`)
    ])
  }
}
