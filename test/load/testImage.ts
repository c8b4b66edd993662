/**
 * A deterministic photo-like JPEG (smooth gradients plus seeded noise, so it
 * compresses like a photo rather than a flat fill), made with sharp at start.
 */
import sharp from "sharp"

export const makeJpeg = (width: number, height: number, seed = 1): Promise<Buffer> => {
  const pixels = Buffer.alloc(width * height * 3)
  let state = seed >>> 0
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // xorshift32: the same bytes on every run and machine.
      state ^= state << 13
      state ^= state >>> 17
      state ^= state << 5
      const noise = (state >>> 0) % 24
      const i = (y * width + x) * 3
      pixels[i] = ((x * 255) / width + noise) & 255
      pixels[i + 1] = ((y * 255) / height + noise) & 255
      pixels[i + 2] = (((x + y) * 127) / (width + height) + 64 + noise) & 255
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 85 }).toBuffer()
}
