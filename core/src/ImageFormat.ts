/**
 * Recognises image formats by their magic numbers (SPEC §6: the bytes decide,
 * never the declared type or file name).
 */
/** The formats processing accepts (SPEC §6). */
export type AcceptedFormat = "jpeg" | "png" | "webp" | "gif"
/** What `sniff` tells apart: an accepted format, a known refused one, or `unknown`. */
export type SniffedFormat = AcceptedFormat | "heif" | "svg" | "pdf" | "html" | "unknown"

const ascii = (bytes: Uint8Array, offset: number, text: string): boolean => {
  if (bytes.length < offset + text.length) return false
  for (let i = 0; i < text.length; i++) if (bytes[offset + i] !== text.charCodeAt(i)) return false
  return true
}

/** The format of `bytes` by their magic numbers (SPEC §6: the bytes decide); reads at most the first 512 bytes. */
export const sniff = (bytes: Uint8Array): SniffedFormat => {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg"
  if (ascii(bytes, 0, "\u0089PNG\r\n\u001a\n")) return "png"
  if (ascii(bytes, 0, "GIF87a") || ascii(bytes, 0, "GIF89a")) return "gif"
  if (ascii(bytes, 0, "RIFF") && ascii(bytes, 8, "WEBP")) return "webp"
  if (ascii(bytes, 4, "ftyp")) return "heif"
  if (ascii(bytes, 0, "%PDF")) return "pdf"
  const head = new TextDecoder().decode(bytes.subarray(0, 512)).trimStart().toLowerCase()
  if (head.startsWith("<svg") || (head.startsWith("<?xml") && head.includes("<svg"))) return "svg"
  if (head.startsWith("<!doctype html") || head.startsWith("<html")) return "html"
  return "unknown"
}

/** Whether a sniffed format is one processing accepts: JPEG, PNG, WebP or GIF (SPEC §6). */
export const isAccepted = (format: SniffedFormat): format is AcceptedFormat =>
  format === "jpeg" || format === "png" || format === "webp" || format === "gif"
