import { assert, describe, it } from "@effect/vitest"
import { classifySharpError } from "../../src/sharp/classifySharpError.ts"

const reasonOf = (message: string) => {
  const e = classifySharpError(new Error(message))
  return e._tag === "ImageRejected" ? e.reason : e._tag
}

describe("classifySharpError", () => {
  it("decoder complaints about the bytes are corrupt_image", () => {
    for (const message of [
      "Input buffer has corrupt header: VipsJpeg: premature end of JPEG image",
      "VipsJpeg: premature end of JPEG image",
      "vipspng: libpng read error",
      "webp2vips: unable to read pixels",
      "gifload_buffer: Invalid frame data",
      "Input buffer contains unsupported image format"
    ]) assert.strictEqual(reasonOf(message), "corrupt_image", message)
  })

  it("the pixel fence is too_many_pixels", () => {
    assert.strictEqual(reasonOf("Input image exceeds pixel limit"), "too_many_pixels")
  })

  it("anything else is a transient ProcessorError carrying the cause", () => {
    for (const message of ["vips_malloc: out of memory", "timeout: 12% complete", "std::bad_alloc"]) {
      assert.strictEqual(reasonOf(message), "ProcessorError", message)
    }
    const cause = "not even an Error"
    const e = classifySharpError(cause)
    assert.strictEqual(e._tag === "ProcessorError" ? e.cause : undefined, cause)
  })
})
