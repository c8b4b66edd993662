/**
 * The `Range` header of a download (RFC 9110 §14), answered as S3 answers it:
 * one range is served as `206`, a range that starts past the end is `416`, and
 * anything else (several ranges, another unit, a malformed header) is ignored,
 * so the whole object is sent with `200`.
 */

/** What to send for an object of a known size. */
export type ByteRange =
  | { readonly _tag: "Whole" }
  /** Bytes `start`..`end`, both inclusive and inside the object. */
  | { readonly _tag: "Part"; readonly start: number; readonly end: number }
  | { readonly _tag: "Unsatisfiable" }

const whole: ByteRange = { _tag: "Whole" }
const unsatisfiable: ByteRange = { _tag: "Unsatisfiable" }

const spec = /^(\d*)-(\d*)$/

/**
 * The part of an object of `size` bytes that `header` asks for: `bytes=a-b`, `bytes=a-` and the suffix
 * `bytes=-n` (the last n bytes). An end past the object is clamped to its last byte, as is a suffix longer
 * than the object.
 */
export const parseByteRange = (header: string | undefined, size: number): ByteRange => {
  if (header === undefined) return whole
  const eq = header.indexOf("=")
  if (eq === -1 || header.slice(0, eq).trim().toLowerCase() !== "bytes") return whole
  const specs = header.slice(eq + 1).split(",")
  // Several ranges would need a multipart/byteranges body; S3 answers them with the whole object.
  if (specs.length !== 1) return whole
  const match = spec.exec(specs[0]!.trim())
  if (match === null) return whole
  const [, first = "", last = ""] = match
  if (first === "") {
    if (last === "") return whole
    const suffix = Number(last)
    if (suffix === 0 || size === 0) return unsatisfiable
    return { _tag: "Part", start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(first)
  const end = last === "" ? Number.POSITIVE_INFINITY : Number(last)
  // A last position before the first makes the header invalid, which means: ignore it.
  if (end < start) return whole
  if (start >= size) return unsatisfiable
  return { _tag: "Part", start, end: Math.min(end, size - 1) }
}

/** The `Content-Range` value of a part, or of a `416` (`bytes *\/size`). */
export const contentRange = (range: ByteRange, size: number): string | undefined => {
  switch (range._tag) {
    case "Part":
      return `bytes ${range.start}-${range.end}/${size}`
    case "Unsatisfiable":
      return `bytes */${size}`
    case "Whole":
      return undefined
  }
}
