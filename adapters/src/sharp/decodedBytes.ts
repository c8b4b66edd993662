/**
 * The memory one image's processing holds, estimated from its header before anything is decoded
 * (issue 8.5): what the processing gate charges against the memory budget.
 */
import type { Metadata } from "sharp"

const bytesPerSample: Readonly<Record<string, number>> = { uchar: 1, char: 1, ushort: 2, short: 2, uint: 4, int: 4, float: 4 }

/**
 * Bytes: the whole decoded input (width × height × channels × bytes per sample) plus the capped
 * 8-bit sRGB pixels both encoders read (at most 4096 × 4096 × 3).
 *
 * The whole input counts for every format, not only for what libvips must hold entirely
 * (interlaced PNG, GIF and WebP frames, a JPEG turned by EXIF orientation 5–8): it is the worst
 * case, and at the default budget it only serializes images far above the common ones.
 */
export const decodedBytes = (header: Pick<Metadata, "width" | "height" | "channels" | "depth">, maxSide: number): number => {
  const { width, height } = header
  const input = width * height * header.channels * (bytesPerSample[header.depth] ?? 8)
  const scale = Math.min(1, maxSide / Math.max(width, height))
  const output = Math.ceil(width * scale) * Math.ceil(height * scale) * 3
  return input + output
}
