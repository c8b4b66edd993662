import { assert, describe, it, layer } from "@effect/vitest"
import { Duration, Effect } from "effect"
import sharp from "sharp"
import * as SharpImageProcessor from "../../src/sharp/SharpImageProcessor.ts"
import { assertServable, fixture, jpegMarkers, pixelAt, pixels, ready, rejected } from "./helpers.ts"
import { encode, gradient, jpegClaiming, pngBomb, stripes, withSegment } from "./synthetic.ts"

const text = (s: string) => new TextEncoder().encode(s)

// Live clock: these measure that a bomb is refused from its header, without decoding.
describe("SharpImageProcessor against decompression bombs", () => {
  it.live("a PNG claiming 50000x50000 is too_many_pixels, refused from its header in well under a second", () =>
    Effect.gen(function*() {
      const bomb = pngBomb(50_000, 50_000)
      assert.isBelow(bomb.length, 200)
      const [elapsed] = yield* Effect.timed(rejected(bomb, "too_many_pixels"))
      assert.isBelow(Duration.toMillis(elapsed), 500)
    }).pipe(Effect.provide(SharpImageProcessor.layer)))

  it.live("a JPEG whose SOF claims 60000x60000 is too_many_pixels, quickly", () =>
    Effect.gen(function*() {
      const small = yield* encode(gradient(64, 64).jpeg())
      const bomb = jpegClaiming(small, 60_000, 60_000)
      const meta = yield* Effect.promise(() => sharp(bomb, { limitInputPixels: false }).metadata())
      assert.deepStrictEqual([meta.width, meta.height], [60_000, 60_000])
      const [elapsed] = yield* Effect.timed(rejected(bomb, "too_many_pixels"))
      assert.isBelow(Duration.toMillis(elapsed), 500)
    }).pipe(Effect.provide(SharpImageProcessor.layer)))
})

layer(SharpImageProcessor.layer)("SharpImageProcessor on synthetic inputs", (it) => {
  describe("pixel limit", () => {
    it.effect("the limit comes from the call: maxPixels is inclusive", () =>
      Effect.gen(function*() {
        const photo = fixture("orientation/Landscape_1.jpg")
        yield* rejected(photo, "too_many_pixels", 1800 * 1200 - 1)
        const out = yield* ready(photo, 1800 * 1200)
        assert.strictEqual(out.image.width, 1800)
      }))
  })

  describe("metadata", () => {
    it.effect("GPS EXIF, XMP, IPTC, ICC and comments are all gone", () =>
      Effect.gen(function*() {
        const base = yield* encode(
          gradient(300, 200)
            .withExif({ IFD0: { Copyright: "owner" }, IFD3: { GPSLatitudeRef: "N", GPSLatitude: "59/1 20/1 0/1" } })
            .withXmp("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"/></x:xmpmeta>")
            .withIccProfile("p3")
            .jpeg()
        )
        const input = withSegment(withSegment(base, 0xfe, text("secret comment")), 0xed, text("Photoshop 3.0\0 8BIM iptc"))
        const before = yield* Effect.promise(() => sharp(input).metadata())
        // The input really carries each kind, including the GPS IFD pointer (tag 0x8825, little-endian).
        assert.isDefined(before.exif)
        assert.isTrue(Buffer.from(before.exif!).includes(Buffer.from([0x25, 0x88])))
        assert.isDefined(before.xmp)
        assert.isDefined(before.icc)
        assert.includeMembers([...jpegMarkers(input)], [0xe1, 0xe2, 0xed, 0xfe])
        const out = yield* ready(input)
        yield* assertServable(out)
        for (const needle of ["Exif", "GPS", "xmpmeta", "secret comment", "8BIM", "owner"]) {
          assert.isFalse(Buffer.from(out.image.bytes).includes(needle), needle)
        }
      }))
  })

  describe("colour", () => {
    it.effect("a CMYK JPEG without profile comes back as 3-channel sRGB of the same colour", () =>
      Effect.gen(function*() {
        const orange = sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 230, g: 120, b: 20 } } })
        const cmyk = yield* encode(orange.toColourspace("cmyk").jpeg({ quality: 95 }))
        assert.strictEqual((yield* Effect.promise(() => sharp(cmyk).metadata())).space, "cmyk")
        const out = yield* ready(cmyk)
        yield* assertServable(out)
        const [r, g, b] = pixelAt(yield* pixels(out.image.bytes), 32, 32)
        assert.isBelow(Math.abs(r! - 230) + Math.abs(g! - 120) + Math.abs(b! - 20), 45, `${r},${g},${b}`)
      }))

    it.effect("16-bit RGBA PNG: 8-bit sRGB output, transparent half white, opaque half kept", () =>
      Effect.gen(function*() {
        const w = 64, h = 32, px = new Uint16Array(w * h * 4)
        for (let i = 0; i < w * h; i++) px.set([65535, 30000, 0, i % w < w / 2 ? 0 : 65535], i * 4)
        const png = yield* encode(sharp(px, { raw: { width: w, height: h, channels: 4 } }).toColourspace("rgb16").png())
        assert.strictEqual((yield* Effect.promise(() => sharp(png).metadata())).depth, "ushort")
        const out = yield* ready(png)
        yield* assertServable(out)
        const img = yield* pixels(out.image.bytes)
        for (const c of pixelAt(img, 8, 16)) assert.isAtLeast(c, 245)
        const [r, g, b] = pixelAt(img, 56, 16)
        assert.isAtLeast(r!, 240)
        assert.isBelow(Math.abs(g! - 117), 15)
        assert.isBelow(b!, 20)
      }))

    it.effect("an 8-bit greyscale JPEG comes out as 3-channel sRGB", () =>
      Effect.gen(function*() {
        const grey = yield* encode(gradient(40, 30).greyscale().jpeg())
        yield* assertServable(yield* ready(grey))
      }))
  })

  describe("sizes", () => {
    it.effect("5000x3000 is capped to 4096x2458", () =>
      Effect.gen(function*() {
        const out = yield* ready(yield* encode(gradient(5000, 3000).jpeg()))
        yield* assertServable(out)
        assert.deepStrictEqual([out.image.width, out.image.height], [4096, 2458])
      }))

    it.effect("a tall 1000x6000 PNG is capped on its height", () =>
      Effect.gen(function*() {
        const out = yield* ready(yield* encode(gradient(1000, 6000).png({ compressionLevel: 1 })))
        assert.deepStrictEqual([out.image.width, out.image.height], [683, 4096])
      }))

    it.effect("a 10x10 image is not enlarged, but its thumbnail is 256x256", () =>
      Effect.gen(function*() {
        const out = yield* ready(yield* encode(gradient(10, 10).png()))
        yield* assertServable(out)
        assert.deepStrictEqual([out.image.width, out.image.height], [10, 10])
      }))

    it.effect("the thumbnail covers: a 600x200 red|green|blue strip crops to the green centre, no bars", () =>
      Effect.gen(function*() {
        const out = yield* ready(yield* encode(stripes(600, 200).png()))
        const thumb = yield* pixels(out.thumbnail.bytes)
        for (const [x, y] of [[4, 4], [251, 4], [4, 251], [251, 251], [128, 128]] as const) {
          const [r, g, b] = pixelAt(thumb, x, y)
          assert.isAbove(g!, 200, `(${x},${y})`)
          assert.isBelow(r! + b!, 60, `(${x},${y})`)
        }
      }))
  })

  describe("bytes that are not an accepted image", () => {
    const cases: ReadonlyArray<readonly [string, Uint8Array]> = [
      ["empty", new Uint8Array()],
      ["text", text("hello, this is a text file\n")],
      ["HTML", text("<!DOCTYPE html><html><body>hi</body></html>")],
      ["PDF", text("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n")],
      ["SVG with XML declaration", text("<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>")],
      ["HEIC header", new Uint8Array([0, 0, 0, 24, ...text("ftypheic"), 0, 0, 0, 0, ...text("mif1heic")])],
      ["garbage", new Uint8Array(Array.from({ length: 512 }, (_, i) => (i * 151 + 7) & 255))],
      ["one JPEG byte", new Uint8Array([0xff])]
    ]
    for (const [name, bytes] of cases) {
      it.effect(`${name} is unsupported_format`, () => rejected(bytes, "unsupported_format"))
    }
  })

  describe("accepted magic, broken body", () => {
    const magic: ReadonlyArray<readonly [string, Uint8Array]> = [
      ["JPEG", new Uint8Array([0xff, 0xd8, 0xff, 0xe0])],
      ["PNG", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
      ["GIF", text("GIF89a")],
      ["WebP", new Uint8Array([...text("RIFF"), 200, 0, 0, 0, ...text("WEBPVP8 ")])]
    ]
    for (const [name, head] of magic) {
      it.effect(`${name} magic followed by junk is corrupt_image`, () =>
        rejected(new Uint8Array([...head, ...new Uint8Array(200).fill(7)]), "corrupt_image"))
    }

    for (const file of ["tricky/with-alpha.png", "tricky/5_webp_a.webp", "tricky/animated-loop-3.gif", "orientation/Portrait_1.jpg"]) {
      it.effect(`${file} cut to a fifth is corrupt_image`, () => {
        const bytes = fixture(file)
        return rejected(bytes.subarray(0, Math.floor(bytes.length / 5)), "corrupt_image")
      })
    }

    it.effect("a GIF cut after its intact first frame is still ready: later frames are never read", () =>
      Effect.gen(function*() {
        const gif = fixture("tricky/animated-loop-3.gif")
        const out = yield* ready(gif.subarray(0, gif.length >> 1))
        assert.deepStrictEqual([out.image.width, out.image.height], [370, 285])
      }))
  })
})
