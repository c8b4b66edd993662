/**
 * Sorts a sharp/libvips failure into a final rejection of the image or a
 * transient error worth a retry (SPEC §6 failure codes).
 */
import { ImageRejected, ProcessorError } from "@media-object-storage/core/ports/ImageProcessor"

// Decoder messages seen when feeding truncated and bit-flipped JPEG, PNG, WebP
// and GIF files to libvips 8.18 (see adapters/test/sharp/): they describe the
// bytes, so retrying cannot help.
const corrupt =
  /corrupt header|unsupported image format|VipsJpeg|vipspng|libpng|webp|gifload|premature end|truncat|invalid|unable to (read|parse)|read error|no frames/i

const tooManyPixels = /pixel limit/i

/** Anything unrecognised (out of memory, timeout, a codec crash) stays transient. */
export const classifySharpError = (cause: unknown): ImageRejected | ProcessorError => {
  const message = cause instanceof Error ? cause.message : String(cause)
  const firstLine = message.split("\n")[0] ?? message
  if (tooManyPixels.test(message)) return new ImageRejected({ reason: "too_many_pixels", message: firstLine })
  if (corrupt.test(message)) return new ImageRejected({ reason: "corrupt_image", message: firstLine })
  return new ProcessorError({ cause })
}
