/**
 * SPEC §6: every output pixel is sRGB whatever the decoder's working space; outputs carry no profile.
 * Inputs are made here with exact stored values and tagged without touching their pixels; expected
 * sRGB values are computed independently (transfer curves and the P3 -> sRGB matrix below).
 */
import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import sharp from "sharp"
import * as SharpImageProcessor from "../../src/sharp/SharpImageProcessor.ts"
import { assertServable, fixture, pixelAt, pixels, ready } from "./helpers.ts"
import { encode, shippedProfile, withIccChunk } from "./synthetic.ts"

type Rgb = readonly [number, number, number]

// sRGB transfer curve (IEC 61966-2-1); Display P3 uses the same curve and white point (D65).
const decode = (v: number) => v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4
const encodeCurve = (l: number) => l <= 0.0031308 ? 12.92 * l : 1.055 * l ** (1 / 2.4) - 0.055
const clip = (x: number) => Math.min(1, Math.max(0, x))
const to8 = (x: number) => Math.round(255 * x)
// Linear Display P3 -> linear sRGB (both D65): M(sRGB)^-1 · M(P3).
const P3_TO_SRGB = [
  [1.2249401, -0.2249404, 0],
  [-0.0420569, 1.0420571, 0],
  [-0.0196376, -0.0786361, 1.0982735]
] as const
const p3ToSrgb = (c: Rgb): Rgb => {
  const l = c.map((v) => decode(v / 255))
  const [r, g, b] = P3_TO_SRGB.map((row) => to8(encodeCurve(clip(row[0] * l[0]! + row[1] * l[1]! + row[2] * l[2]!))))
  return [r!, g!, b!]
}
/** A grey stored under a pure-gamma grey profile, as sRGB. */
const gammaGreyToSrgb = (v: number, gamma: number) => to8(encodeCurve((v / 255) ** gamma))

/**
 * The chart: 64x64, four 16-pixel rows (one colour each) and four 16-pixel columns: two opaque,
 * then alpha 0, then alpha 128/255 when the layout has alpha. Cells line up with JPEG's 16x16
 * blocks, so chroma subsampling never mixes two cells.
 */
const SIDE = 64, CELL = 16
const alphaOfColumn = [255, 255, 0, 128] as const
const chart = (rows: ReadonlyArray<ReadonlyArray<number>>, depth: 8 | 16, alpha: boolean) => {
  const bands = rows[0]!.length + (alpha ? 1 : 0), scale = depth === 16 ? 257 : 1
  const data = depth === 16 ? new Uint16Array(SIDE * SIDE * bands) : new Uint8Array(SIDE * SIDE * bands)
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const stored = [...rows[Math.floor(y / CELL)]!, ...(alpha ? [alphaOfColumn[Math.floor(x / CELL)]!] : [])]
      data.set(stored.map((v) => v * scale), (y * SIDE + x) * bands)
    }
  }
  const grey = rows[0]!.length === 1
  const image = sharp(data, { raw: { width: SIDE, height: SIDE, channels: bands as 1 | 2 | 3 | 4 } })
  return encode(image.toColourspace(depth === 16 ? (grey ? "grey16" : "rgb16") : (grey ? "b-w" : "srgb")).png())
}

/** Expected sRGB of each sampled cell after flattening on white, in 0..255. */
const flattened = (c: Rgb, alpha: number): Rgb => {
  const a = alpha / 255
  return [c[0] * a + 255 * (1 - a), c[1] * a + 255 * (1 - a), c[2] * a + 255 * (1 - a)].map(Math.round) as unknown as Rgb
}

// Outputs are JPEG q85 4:2:0: a uniform 16x16 block comes back within a few levels.
const TOLERANCE = 6

/** Processes `input`, checks it is a clean sRGB JPEG, and compares every sampled cell of image and thumbnail. */
const assertColours = (input: Uint8Array, expected: ReadonlyArray<Rgb>, alpha: boolean, tolerance = TOLERANCE) =>
  Effect.gen(function*() {
    const out = yield* ready(input)
    yield* assertServable(out)
    const columns = alpha ? [0, 2, 3] : [0, 1]
    for (const [name, encoded, scale] of [["image", out.image.bytes, 1], ["thumbnail", out.thumbnail.bytes, 4]] as const) {
      const img = yield* pixels(encoded)
      for (let row = 0; row < expected.length; row++) {
        for (const col of columns) {
          const want = alpha ? flattened(expected[row]!, alphaOfColumn[col]!) : expected[row]!
          const at = (n: number) => (n * CELL + CELL / 2) * scale
          const got = pixelAt(img, at(col), at(row))
          const off = Math.max(...got.map((v, i) => Math.abs(v - want[i]!)))
          assert.isAtMost(off, tolerance, `${name} row ${row} col ${col}: got ${got}, want ${want}`)
        }
      }
    }
  })

const RGB_ROWS: ReadonlyArray<Rgb> = [[255, 0, 0], [204, 102, 51], [128, 128, 128], [30, 200, 120]]
const GREY_ROWS = [[0], [64], [128], [200]]

/** The grey ICC profile (v4, `para` gamma 2.2) of tricky/16-bit-grey-alpha.png, with its gamma replaced. */
const greyProfile = (gamma: number) =>
  Effect.promise(() => sharp(fixture("tricky/16-bit-grey-alpha.png")).metadata()).pipe(Effect.map((meta) => {
    const icc = Buffer.from(meta.icc!)
    assert.strictEqual(icc.subarray(16, 20).toString("latin1"), "GRAY")
    for (let i = 0; i < icc.readUInt32BE(128); i++) {
      const entry = 132 + i * 12
      if (icc.subarray(entry, entry + 4).toString("latin1") !== "kTRC") continue
      const offset = icc.readUInt32BE(entry + 4)
      assert.strictEqual(icc.subarray(offset, offset + 4).toString("latin1"), "para")
      assert.strictEqual(icc.readUInt16BE(offset + 8), 0, "function type 0: Y = X^gamma")
      icc.writeInt32BE(Math.round(gamma * 65536), offset + 12)
      icc.fill(0, 84, 100) // the profile id (an MD5 of the old bytes): zero means "not computed"
      return new Uint8Array(icc)
    }
    return assert.fail("no kTRC tag")
  }))

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

  describe("the matrix: {8, 16} bit x {no profile, sRGB, Display P3} x {RGB, RGBA}", () => {
    for (const depth of [8, 16] as const) {
      for (const profile of ["none", "srgb", "p3"] as const) {
        for (const alpha of [false, true]) {
          const name = `${depth}-bit ${alpha ? "RGBA" : "RGB"}, ${profile === "none" ? "no profile" : `${profile} profile`}`
          it.effect(`${name}: red, a mid colour, grey and green come out as their sRGB values`, () =>
            Effect.gen(function*() {
              const png = yield* chart(RGB_ROWS, depth, alpha)
              const input = profile === "none" ? png : withIccChunk(png, yield* shippedProfile(profile))
              const meta = yield* Effect.promise(() => sharp(input).metadata())
              assert.deepStrictEqual(
                [meta.depth, meta.channels, meta.hasProfile],
                [depth === 16 ? "ushort" : "uchar", alpha ? 4 : 3, profile !== "none"]
              )
              const expected = profile === "p3" ? RGB_ROWS.map(p3ToSrgb) : RGB_ROWS
              yield* assertColours(input, expected, alpha)
            }))
        }
      }
    }

    it.effect("the expectations discriminate: P3 red clips to sRGB red, a P3 mid colour moves well away from its numbers", () =>
      Effect.sync(() => {
        assert.deepStrictEqual(p3ToSrgb([255, 0, 0]), [255, 0, 0])
        assert.deepStrictEqual(p3ToSrgb([128, 128, 128]), [128, 128, 128])
        const mid = p3ToSrgb([204, 102, 51]), green = p3ToSrgb([30, 200, 120])
        assert.isAbove(Math.abs(mid[0] - 204) + Math.abs(mid[2] - 51), 3 * TOLERANCE, `${mid}`)
        assert.isAbove(Math.abs(green[0] - 30), 3 * TOLERANCE, `${green}`)
      }))
  })

  describe("the matrix: {8, 16} bit x {no profile, grey gamma 2.2, linear grey} x {grey, grey + alpha}", () => {
    for (const depth of [8, 16] as const) {
      for (const gamma of [undefined, 2.2, 1.0]) {
        for (const alpha of [false, true]) {
          const name = `${depth}-bit grey${alpha ? " + alpha" : ""}, ${gamma === undefined ? "no profile" : `grey gamma ${gamma} profile`}`
          it.effect(`${name}: stays grey, at its sRGB level`, () =>
            Effect.gen(function*() {
              const png = yield* chart(GREY_ROWS, depth, alpha)
              const input = gamma === undefined ? png : withIccChunk(png, yield* greyProfile(gamma))
              const meta = yield* Effect.promise(() => sharp(input).metadata())
              assert.deepStrictEqual(
                [meta.depth, meta.channels, meta.hasProfile],
                [depth === 16 ? "ushort" : "uchar", alpha ? 2 : 1, gamma !== undefined]
              )
              // Untagged grey is the same in every RGB space: sRGB's own levels.
              const expected = GREY_ROWS.map(([v]): Rgb => {
                const s = gamma === undefined ? v! : gammaGreyToSrgb(v!, gamma)
                return [s, s, s]
              })
              yield* assertColours(input, expected, alpha)
            }))
        }
      }
    }
  })

  describe("CMYK", () => {
    // No independent CMYK model here: colours made CMYK by sharp (the fallback profile's conversion,
    // or sharp's CMYK profile embedded) must come back near where they started, paper white exactly white.
    const rows: ReadonlyArray<Rgb> = [[255, 255, 255], [204, 102, 51], [128, 128, 128], [70, 100, 160]]
    for (const tagged of [false, true]) {
      it.effect(`a CMYK JPEG ${tagged ? "with sharp's CMYK profile" : "without profile"} comes back as the sRGB it was made from`, () =>
        Effect.gen(function*() {
          const rgb = yield* chart(rows, 8, false)
          const toCmyk = sharp(rgb).toColourspace("cmyk")
          const cmyk = yield* encode((tagged ? toCmyk.withIccProfile("cmyk") : toCmyk).jpeg({ quality: 95 }))
          const meta = yield* Effect.promise(() => sharp(cmyk).metadata())
          assert.deepStrictEqual([meta.space, meta.channels, meta.hasProfile], ["cmyk", 4, tagged])
          // A round trip through a print gamut, perceptual intent both ways: up to ~30 levels off (measured:
          // the mid colour's blue), where an uninverted or unconverted CMYK would be off by a hundred and more.
          yield* assertColours(cmyk, rows, false, 36)
          const img = yield* pixels((yield* ready(cmyk)).image.bytes)
          for (const c of pixelAt(img, 8, 8)) assert.isAtLeast(c, 252, "paper white")
          const grey = pixelAt(img, 8, 2 * CELL + 8)
          assert.isAtMost(Math.max(...grey) - Math.min(...grey), 4, `grey stays neutral: ${grey}`)
        }))
    }
  })
})
