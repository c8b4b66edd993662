import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import sharp from "sharp"
import * as SharpImageProcessor from "../../src/sharp/SharpImageProcessor.ts"
import { assertServable, fixture, greyDistance, pixelAt, pixels, ready, rejected } from "./helpers.ts"

const orientations = [0, 1, 2, 3, 4, 5, 6, 7, 8]

layer(SharpImageProcessor.layer)("SharpImageProcessor on the corpus", (it) => {
  describe("EXIF orientation", () => {
    for (const [kind, size] of [["Landscape", [1800, 1200]], ["Portrait", [1200, 1800]]] as const) {
      it.effect(`${kind}_0..8 come out ${size.join("x")}, upright and pixel-equal`, () =>
        Effect.gen(function*() {
          const reference = yield* ready(fixture(`orientation/${kind}_1.jpg`))
          for (const n of orientations) {
            const out = yield* ready(fixture(`orientation/${kind}_${n}.jpg`))
            yield* assertServable(out)
            assert.deepStrictEqual([out.image.width, out.image.height], [...size], `${kind}_${n}`)
            // Re-encoding and a flip's different JPEG block grid cost ~1 level; a wrong rotation costs tens.
            const distance = yield* greyDistance(out.image.bytes, reference.image.bytes)
            assert.isBelow(distance, 4, `${kind}_${n} differs from ${kind}_1 by ${distance}`)
            assert.isBelow(yield* greyDistance(out.thumbnail.bytes, reference.thumbnail.bytes), 4)
          }
        }))
    }

    it.effect("a wrong orientation would be caught: Landscape_1 rotated is far from Landscape_1", () =>
      Effect.gen(function*() {
        const a = yield* ready(fixture("orientation/Landscape_1.jpg"))
        const b = yield* ready(fixture("orientation/Landscape_3.jpg"))
        // Landscape_3 without its tag applied would be upside down: the distance must see that.
        const flipped = yield* Effect.promise(() => sharp(a.image.bytes).rotate(180).jpeg().toBuffer())
        assert.isAbove(yield* greyDistance(flipped, b.image.bytes), 10)
      }))
  })

  describe("tricky images", () => {
    it.effect("an ordinary photo keeps its size", () =>
      Effect.gen(function*() {
        const out = yield* ready(fixture("tricky/2569067123_aca715a2ee_o.jpg"))
        yield* assertServable(out)
        assert.deepStrictEqual([out.image.width, out.image.height], [2725, 2225])
      }))

    it.effect("CMYK with ICC, EXIF, XMP and IPTC becomes clean 3-channel sRGB with plausible colours", () =>
      Effect.gen(function*() {
        const out = yield* ready(fixture("tricky/Channel_digital_image_CMYK_color.jpg"))
        yield* assertServable(out)
        assert.deepStrictEqual([out.image.width, out.image.height], [500, 333])
        const img = yield* pixels(out.image.bytes)
        // Lower left is sunlit grass: green must dominate (an uninverted, correctly converted CMYK).
        let r = 0, g = 0, b = 0
        for (let y = 200; y < 260; y++) {
          for (let x = 20; x < 140; x++) {
            const [pr, pg, pb] = pixelAt(img, x, y)
            r += pr!, g += pg!, b += pb!
          }
        }
        assert.isAbove(g, r * 1.1)
        assert.isAbove(g, b * 1.3)
      }))

    it.effect("16-bit grey with alpha: transparent pixels come out white", () =>
      Effect.gen(function*() {
        const out = yield* ready(fixture("tricky/16-bit-grey-alpha.png"))
        yield* assertServable(out)
        assert.deepStrictEqual([out.image.width, out.image.height], [109, 96])
        // (36,0) is fully transparent in the original.
        for (const c of pixelAt(yield* pixels(out.image.bytes), 36, 0)) assert.isAtLeast(c, 245)
      }))

    it.effect("RGBA PNG is flattened onto white, not black", () =>
      Effect.gen(function*() {
        const out = yield* ready(fixture("tricky/with-alpha.png"))
        yield* assertServable(out)
        // (0,0) is (91,0,194) at alpha 168/255: over white it is (146,87,214), over black (60,0,128).
        const [r, g, b] = pixelAt(yield* pixels(out.image.bytes), 0, 0)
        assert.isBelow(Math.abs(r! - 146) + Math.abs(g! - 87) + Math.abs(b! - 214), 24, `${r},${g},${b}`)
      }))

    it.effect("Display P3 is converted to sRGB", () =>
      Effect.gen(function*() {
        const out = yield* ready(fixture("tricky/p3.png"))
        yield* assertServable(out)
        // Stored P3 red (241,0,0) lies outside sRGB; converted it saturates to 255, untouched it would stay 241.
        const [r, g, b] = pixelAt(yield* pixels(out.image.bytes), 4, 4)
        assert.isAtLeast(r!, 250)
        assert.isAtMost(g! + b!, 20)
      }))

    it.effect("WebP with alpha is ready, transparent corner white", () =>
      Effect.gen(function*() {
        const out = yield* ready(fixture("tricky/5_webp_a.webp"))
        yield* assertServable(out)
        assert.deepStrictEqual([out.image.width, out.image.height], [300, 300])
        for (const c of pixelAt(yield* pixels(out.image.bytes), 0, 0)) assert.isAtLeast(c, 250)
      }))

    it.effect("a 10-frame GIF gives its first frame only", () =>
      Effect.gen(function*() {
        const out = yield* ready(fixture("tricky/animated-loop-3.gif"))
        yield* assertServable(out)
        assert.deepStrictEqual([out.image.width, out.image.height], [370, 285])
      }))

    it.effect("truncated and corrupt-header JPEGs are corrupt_image", () =>
      Effect.gen(function*() {
        yield* rejected(fixture("tricky/truncated.jpg"), "corrupt_image")
        yield* rejected(fixture("tricky/corrupt-header.jpg"), "corrupt_image")
      }))

    it.effect("SVG and AVIF are unsupported_format even though libvips could decode them", () =>
      Effect.gen(function*() {
        yield* rejected(fixture("tricky/circle.svg"), "unsupported_format")
        yield* rejected(fixture("tricky/pitm.avif"), "unsupported_format")
      }))
  })
})
