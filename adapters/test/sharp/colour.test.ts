/**
 * SPEC §6: every output pixel is sRGB whatever the decoder's working space. Inputs are made
 * here with exact stored values; expected sRGB values are computed independently (P3 -> sRGB matrix).
 */
import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import sharp from "sharp"
import * as SharpImageProcessor from "../../src/sharp/SharpImageProcessor.ts"
import { assertServable, pixelAt, pixels, ready } from "./helpers.ts"
import { encode, shippedProfile, withIccChunk } from "./synthetic.ts"

layer(SharpImageProcessor.layer)("SharpImageProcessor colour", (it) => {
  describe("16-bit RGB", () => {
    it.effect("a 16-bit PNG tagged sRGB keeps pure red (65535,0,0) as sRGB (255,0,0)", () =>
      Effect.gen(function*() {
        const w = 64, h = 64, px = new Uint16Array(w * h * 3)
        for (let i = 0; i < w * h; i++) px.set(i % w < w / 2 ? [65535, 0, 0] : [0, 65535, 0], i * 3)
        const png = yield* encode(sharp(px, { raw: { width: w, height: h, channels: 3 } }).toColourspace("rgb16").png())
        const tagged = withIccChunk(png, yield* shippedProfile("srgb"))
        const meta = yield* Effect.promise(() => sharp(tagged).metadata())
        assert.strictEqual(meta.depth, "ushort")
        assert.isDefined(meta.icc)
        const out = yield* ready(tagged)
        yield* assertServable(out)
        const [r, g, b] = pixelAt(yield* pixels(out.image.bytes), 16, 32)
        assert.isAtLeast(r!, 250, `${r},${g},${b}`)
        assert.isAtMost(g!, 6, `${r},${g},${b}`)
        assert.isAtMost(b!, 6, `${r},${g},${b}`)
      }))
  })
})
