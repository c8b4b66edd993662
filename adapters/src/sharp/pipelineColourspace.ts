/**
 * How each input reaches sRGB (SPEC §6: every output pixel is sRGB, 16-bit inputs included).
 */
import type { Metadata } from "sharp"

/**
 * The colourspace a decode pipeline must work in, or undefined for sharp's default.
 *
 * sharp converts an embedded ICC profile into its working space right after decoding: sRGB for
 * 8-bit input, but Display P3 for 16-bit RGB, and a final `toColourspace("srgb")` then only narrows
 * the depth, leaving P3 numbers in an sRGB file. It also skips the profile of 16-bit grey. Narrowing
 * 16-bit input to 8 bits first (in its own family: RGB to sRGB, grey to b-w) makes every input take
 * the 8-bit route, where the embedded profile converts into sRGB itself:
 *
 * | decoded as        | route to sRGB                                                         |
 * |-------------------|-----------------------------------------------------------------------|
 * | srgb (8-bit RGB)  | embedded profile → sRGB; untagged is taken as sRGB                    |
 * | rgb16             | narrowed to 8-bit, then as srgb                                       |
 * | b-w (8-bit grey)  | embedded grey profile → sRGB; untagged grey is the same in every space |
 * | grey16            | narrowed to 8-bit, then as b-w                                        |
 * | cmyk              | embedded profile, or sharp's CMYK fallback profile → sRGB             |
 *
 * The outputs are 8-bit JPEGs, so narrowing first loses nothing they could show.
 */
export const pipelineColourspace = (header: Pick<Metadata, "space" | "depth">): "srgb" | "b-w" | undefined => {
  if (header.depth !== "ushort") return undefined
  return header.space === "grey16" || header.space === "b-w" ? "b-w" : "srgb"
}
