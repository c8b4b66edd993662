/**
 * Deterministic benchmark inputs: a gradient with LCG noise (photo-like entropy,
 * so JPEG coding costs what a real photo costs), written to a temp dir.
 */
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import sharp from "sharp"

export const noisyJpeg = (width: number, height: number): Promise<Buffer> => {
  const raw = Buffer.alloc(width * height * 3)
  let seed = 12345
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      const n = (seed >>> 24) & 31
      const i = (y * width + x) * 3
      raw[i] = ((x * 255) / width + n) & 255
      raw[i + 1] = ((y * 255) / height + n) & 255
      raw[i + 2] = (((x + y) * 128) / (width + height) + n * 2) & 255
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 92 }).toBuffer()
}

/** Writes 12mp.jpg (4000x3000) and 48mp.jpg (8000x6000) into `dir`. */
export const writeBenchImages = async (dir: string) => {
  writeFileSync(join(dir, "12mp.jpg"), await noisyJpeg(4000, 3000))
  writeFileSync(join(dir, "48mp.jpg"), await noisyJpeg(8000, 6000))
}
