/**
 * Inputs the corpus lacks, made on the fly: decompression-bomb headers,
 * metadata-laden JPEGs, deep and odd colour spaces, sizes around the cap.
 */
import { crc32, deflateSync } from "node:zlib"
import { Effect } from "effect"
import sharp, { type Sharp } from "sharp"

const chunk = (type: string, data: Uint8Array) => {
  const body = Buffer.concat([Buffer.from(type, "latin1"), data])
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  body.copy(out, 4)
  out.writeUInt32BE(crc32(body), 8 + data.length)
  return out
}

/** A valid-looking PNG whose IHDR claims width x height RGB pixels, backed by a few bytes. */
export const pngBomb = (width: number, height: number) => {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr.writeUInt8(8, 8) // bit depth
  ihdr.writeUInt8(2, 9) // RGB
  return new Uint8Array(Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(Buffer.alloc(64))),
    chunk("IEND", new Uint8Array())
  ]))
}

/** Rewrites the SOF dimensions of a baseline JPEG: a tiny file that claims a huge frame. */
export const jpegClaiming = (jpeg: Uint8Array, width: number, height: number) => {
  const out = Buffer.from(jpeg)
  let i = 2
  while (out[i] === 0xff && out[i + 1] !== 0xc0 && out[i + 1] !== 0xc2) i += 2 + out.readUInt16BE(i + 2)
  out.writeUInt16BE(height, i + 5)
  out.writeUInt16BE(width, i + 7)
  return new Uint8Array(out)
}

/** Splices an extra segment (marker 0xFFxx, payload) right after SOI. */
export const withSegment = (jpeg: Uint8Array, marker: number, payload: Uint8Array) => {
  const head = Buffer.alloc(4)
  head.writeUInt8(0xff, 0)
  head.writeUInt8(marker, 1)
  head.writeUInt16BE(payload.length + 2, 2)
  return new Uint8Array(Buffer.concat([jpeg.subarray(0, 2), head, payload, jpeg.subarray(2)]))
}

/** A deterministic gradient, so encoders have something photo-like to work on. */
export const gradient = (width: number, height: number) => {
  const data = Buffer.alloc(width * height * 3)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3
      data[i] = (x * 255 / width) | 0
      data[i + 1] = (y * 255 / height) | 0
      data[i + 2] = ((x + y) * 7) & 255
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } })
}

export const encode = (image: Sharp) =>
  Effect.promise(() => image.toBuffer()).pipe(Effect.map((b) => new Uint8Array(b)))

/** Three vertical stripes, red | green | blue, each width/3 wide. */
export const stripes = (width: number, height: number) => {
  const data = Buffer.alloc(width * height * 3)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data[(y * width + x) * 3 + Math.min(2, Math.floor(x * 3 / width))] = 255
  }
  return sharp(data, { raw: { width, height, channels: 3 } })
}

/** The ICC profile sharp ships under `name` ("srgb", "p3", "cmyk"), as bytes. */
export const shippedProfile = (name: "srgb" | "p3" | "cmyk") =>
  Effect.promise(() =>
    sharp({ create: { width: 1, height: 1, channels: 3, background: "#ffffff" } }).withIccProfile(name).jpeg().toBuffer()
      .then((jpeg) => sharp(jpeg).metadata())
  ).pipe(Effect.map((meta) => new Uint8Array(meta.icc!)))

/**
 * Tags a PNG with an ICC profile (an iCCP chunk right after IHDR) without touching its pixels:
 * sharp's `withIccProfile` would convert the pixels into the profile first, and for 16-bit input
 * it converts from its own Display P3 working space.
 */
export const withIccChunk = (png: Uint8Array, icc: Uint8Array) => {
  const ihdrEnd = 8 + 12 + 13
  const iccp = chunk("iCCP", Buffer.concat([Buffer.from("icc\0\0", "latin1"), deflateSync(icc)]))
  return new Uint8Array(Buffer.concat([png.subarray(0, ihdrEnd), iccp, png.subarray(ihdrEnd)]))
}
