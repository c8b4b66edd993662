/** Test photos made on the fly with sharp: a JPEG of a given size, plain or noisy (noise keeps it large). */
import sharp from "sharp"

export const makeJpeg = (width: number, height: number, seed = 0, noisy = false): Promise<Uint8Array> =>
  sharp({
    create: noisy
      ? { width, height, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 40 } }
      : { width, height, channels: 3, background: { r: (seed * 53) % 256, g: (seed * 97) % 256, b: 128 } }
  }).jpeg({ quality: 80 }).toBuffer().then((buffer) => new Uint8Array(buffer))

/** Width, height and format of an image's bytes. */
export const describeImage = async (bytes: Uint8Array) => {
  const meta = await sharp(bytes).metadata()
  return { width: meta.width, height: meta.height, format: meta.format }
}
