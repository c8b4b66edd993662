/**
 * Issue 8.5: all image work of a process goes through one gate, bounded in images and in
 * estimated decoded bytes. Instrumented through the gate's in-flight counters, never by timing.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import sharp from "sharp"
import { decodedBytes } from "../../src/sharp/decodedBytes.ts"
import * as ProcessingGate from "../../src/sharp/ProcessingGate.ts"
import * as SharpImageProcessor from "../../src/sharp/SharpImageProcessor.ts"
import { DEFAULT_MAX_PIXELS } from "./helpers.ts"
import { encode, gradient } from "./synthetic.ts"

/** A 16-bit RGB interlaced PNG: libpng hands libvips nothing until the whole image is decoded. */
const interlaced16 = (width: number, height: number) =>
  encode(gradient(width, height).toColourspace("rgb16").png({ progressive: true, compressionLevel: 1 }))

describe("decodedBytes", () => {
  it("counts the whole decoded input plus the capped 8-bit sRGB output", () => {
    assert.strictEqual(
      decodedBytes({ width: 10_000, height: 10_000, channels: 3, depth: "ushort" }, 4096),
      10_000 * 10_000 * 3 * 2 + 4096 * 4096 * 3
    )
    assert.strictEqual(decodedBytes({ width: 1000, height: 500, channels: 4, depth: "uchar" }, 4096), 1000 * 500 * 4 + 1000 * 500 * 3)
    assert.strictEqual(decodedBytes({ width: 8000, height: 2000, channels: 1, depth: "uchar" }, 4096), 8000 * 2000 + 4096 * 1024 * 3)
  })
})

describe("SharpImageProcessor bounds", () => {
  it.effect("one processor shared by two groups of concurrent callers runs at most 2 images at once", () =>
    Effect.gen(function*() {
      const gate = yield* ProcessingGate.make({ maxImages: 2, budgetBytes: 1024 ** 3 })
      const processor = yield* SharpImageProcessor.make({ gate })
      const png = yield* encode(gradient(400, 300).png({ compressionLevel: 1 }))
      const call = processor.process(png, { maxPixels: DEFAULT_MAX_PIXELS })
      // Four "dispatcher workers" and four "sweeper" calls at once, as 2 + 2-4 did before the gate.
      const fibers = yield* Effect.forEach(Array.from({ length: 8 }), () => Effect.forkChild(call))
      const outs = yield* Fiber.joinAll(fibers)
      assert.strictEqual(outs.length, 8)
      const stats = yield* gate.stats
      assert.isAtLeast(stats.peakImages, 1, "every image went through the gate")
      assert.isAtMost(stats.peakImages, 2)
      assert.deepStrictEqual([stats.images, stats.bytes], [0, 0])
    }))

  it.effect("large 16-bit interlaced PNGs are serialized by the memory budget, and charged what they decode to", () =>
    Effect.gen(function*() {
      const png = yield* interlaced16(1200, 900)
      const meta = yield* Effect.promise(() => sharp(png).metadata())
      assert.deepStrictEqual([meta.depth, meta.isProgressive, meta.channels], ["ushort", true, 3])
      const each = decodedBytes(meta, SharpImageProcessor.MAX_SIDE)
      assert.isAtLeast(each, 1200 * 900 * 3 * 2)
      // Room for one and a half: two would fit the image slots, not the budget.
      const gate = yield* ProcessingGate.make({ maxImages: 2, budgetBytes: Math.floor(each * 1.5) })
      const processor = yield* SharpImageProcessor.make({ gate })
      const fibers = yield* Effect.forEach(
        Array.from({ length: 4 }),
        () => Effect.forkChild(processor.process(png, { maxPixels: DEFAULT_MAX_PIXELS }))
      )
      for (const out of yield* Fiber.joinAll(fibers)) assert.deepStrictEqual([out.image.width, out.image.height], [1200, 900])
      const stats = yield* gate.stats
      assert.strictEqual(stats.peakImages, 1)
      assert.strictEqual(stats.peakBytes, each)
    }))

  it.effect("an image estimated above the whole budget is still processed", () =>
    Effect.gen(function*() {
      const gate = yield* ProcessingGate.make({ maxImages: 2, budgetBytes: 1024 })
      const processor = yield* SharpImageProcessor.make({ gate })
      const out = yield* processor.process(yield* interlaced16(300, 200), { maxPixels: DEFAULT_MAX_PIXELS })
      assert.deepStrictEqual([out.image.width, out.image.height], [300, 200])
      assert.strictEqual((yield* gate.stats).peakBytes, 1024)
    }))

  it.effect("rejected inputs never take a share: the pixel limit and the format are checked from the header first", () =>
    Effect.gen(function*() {
      const gate = yield* ProcessingGate.make({ maxImages: 2, budgetBytes: 1024 ** 3 })
      const processor = yield* SharpImageProcessor.make({ gate })
      const png = yield* encode(gradient(400, 300).png())
      const tooBig = yield* Effect.flip(processor.process(png, { maxPixels: 1000 }))
      assert.strictEqual(tooBig._tag === "ImageRejected" ? tooBig.reason : tooBig._tag, "too_many_pixels")
      yield* Effect.flip(processor.process(new TextEncoder().encode("not an image"), { maxPixels: DEFAULT_MAX_PIXELS }))
      assert.strictEqual((yield* gate.stats).peakImages, 0)
    }))
})
