/**
 * Hostile inputs built in code: a PNG whose header claims a decompression
 * bomb (valid CRCs, so only the pixel limit stops it), and text formats.
 */
import { crc32, deflateSync } from "node:zlib"

const chunk = (type: string, data: Uint8Array): Buffer => {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, "latin1"), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

/** A well-formed PNG declaring `width` x `height` (8-bit grey) with a few real rows of data. */
export const pngBomb = (width: number, height: number): Uint8Array => {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr.set([8, 0, 0, 0, 0], 8) // bit depth 8, greyscale, deflate, no filter, no interlace
  // Zeros compress ~1000:1: a real bomb would carry gigabytes in a few megabytes; two rows make the point.
  const rows = deflateSync(Buffer.alloc(2 * (width + 1)))
  return new Uint8Array(Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", rows),
    chunk("IEND", new Uint8Array())
  ]))
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text)

export const html = utf8("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>\n")
export const svg = utf8(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>`)
export const pdf = utf8("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")

/** Does `haystack` contain the bytes of `needle`? */
export const containsText = (haystack: Uint8Array, needle: string): boolean => Buffer.from(haystack).includes(needle)
