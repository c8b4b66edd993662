/**
 * Peak memory of many large images arriving at once (issue 8.5; docs/benchmarks.md "Image pipeline"):
 * 8 concurrent calls of the sharp ImageProcessor on a 16-bit interlaced PNG, each configuration in a
 * fresh child process, without the bound (as before: every caller's image at once) and with it.
 * Run with node from the repository root: bench/sharp/concurrent.ts [--size 6000x4000] [--calls 8]
 * (worded so bench/run.ts keeps pipeline.ts as bench/sharp's entry).
 * Set MALLOC_ARENA_MAX=2 in its environment to see glibc's share of the peak (the children inherit it).
 * Child modes: --generate <file> <width> <height> writes the input; --run <maxImages> <budgetMiB> <calls> <file>
 * prints one JSON line. Both run in children: a child's maxRSS starts at its parent's RSS (vfork + exec).
 */
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { cpus, loadavg, tmpdir, totalmem } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import sharp from "sharp"
import { decodedBytes } from "../../adapters/src/sharp/decodedBytes.ts"
import * as ProcessingGate from "../../adapters/src/sharp/ProcessingGate.ts"
import * as SharpImageProcessor from "../../adapters/src/sharp/SharpImageProcessor.ts"

const args = process.argv.slice(2)
const option = (name: string, fallback: string) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1]! : fallback
}

/**
 * A 16-bit RGB step gradient (flat 64-pixel bands), Adam7-interlaced: small enough to be a legal
 * upload (PNG filters make flat bands almost free) yet decoded whole by libvips, as interlacing forces.
 */
const writeInput = async (file: string, width: number, height: number) => {
  const px = new Uint16Array(width * height * 3)
  const bandsX = Math.ceil(width / 64), bandsY = Math.ceil(height / 64)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3, bx = x >> 6, by = y >> 6
      px[i] = Math.round(bx * 65535 / bandsX)
      px[i + 1] = Math.round(by * 65535 / bandsY)
      px[i + 2] = Math.round((bx + by) * 65535 / (bandsX + bandsY))
    }
  }
  const png = await sharp(px, { raw: { width, height, channels: 3 } }).toColourspace("rgb16")
    .png({ progressive: true, compressionLevel: 9 }).toBuffer()
  writeFileSync(file, png)
}

if (args[0] === "--generate") {
  await writeInput(args[1]!, Number(args[2]), Number(args[3]))
  process.exit(0)
}

if (args[0] === "--run") {
  const [maxImages, budgetMiB, calls, file] = [Number(args[1]), Number(args[2]), Number(args[3]), args[4]!]
  const bytes = readFileSync(file)
  const beforeKb = process.resourceUsage().maxRSS
  const program = Effect.gen(function*() {
    const gate = yield* ProcessingGate.make({ maxImages, budgetBytes: budgetMiB * 2 ** 20 })
    const processor = yield* SharpImageProcessor.make({ gate })
    const t0 = performance.now()
    yield* Effect.forEach(Array.from({ length: calls }), () => processor.process(bytes, { maxPixels: 100_000_000 }), {
      concurrency: "unbounded",
      discard: true
    })
    return { ms: performance.now() - t0, stats: yield* gate.stats }
  })
  const { ms, stats } = await Effect.runPromise(program)
  console.log(JSON.stringify({ beforeKb, peakKb: process.resourceUsage().maxRSS, ms, peakImages: stats.peakImages, peakBytes: stats.peakBytes }))
  process.exit(0)
}

const [width, height] = option("--size", "6000x4000").split("x").map(Number) as [number, number]
const calls = Number(option("--calls", "8"))
const dir = mkdtempSync(join(tmpdir(), "sharp-concurrent-"))
const file = join(dir, "input.png")
const child = (...childArgs: Array<string>) => {
  const out = spawnSync(process.execPath, [import.meta.filename, ...childArgs], { encoding: "utf8" })
  if (out.status !== 0) throw new Error(out.stderr)
  return out.stdout
}
child("--generate", file, String(width), String(height))
const estimateMiB = decodedBytes(await sharp(file).metadata(), SharpImageProcessor.MAX_SIDE) / 2 ** 20

const configurations: ReadonlyArray<readonly [string, number, number]> = [
  [`no bound (every caller's image at once, as before)`, calls, 1_000_000],
  ["4 at once, no memory budget (the old dispatcher 2 + sweeper 2)", 4, 1_000_000],
  ["**default: 2 at once within 1024 MiB**", ProcessingGate.DEFAULT_MAX_IMAGES, ProcessingGate.DEFAULT_BUDGET_BYTES / 2 ** 20],
  ["2 at once within 256 MiB (`MEDIA_PROCESSING_MEMORY_MB=256`)", 2, 256]
]

console.log(`### ${calls} concurrent 16-bit interlaced PNGs — run of ${new Date().toISOString().slice(0, 16)}Z\n`)
console.log(`machine: ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}; sharp ${sharp.versions.sharp}, libvips ${sharp.versions.vips}; MALLOC_ARENA_MAX=${process.env["MALLOC_ARENA_MAX"] ?? "unset"}; load average at start ${loadavg().map((l) => l.toFixed(1)).join(" ")}`)
console.log(`input: ${width}x${height} RGB 16-bit Adam7 PNG, ${(statSync(file).size / 2 ** 20).toFixed(1)} MiB; estimate per image ${estimateMiB.toFixed(0)} MiB\n`)
console.log(`| configuration | maxRSS after loading + reading input | maxRSS peak | wall s | images at once (peak) | estimated MiB in flight (peak) |\n|---|---|---|---|---|---|`)
for (const [name, maxImages, budgetMiB] of configurations) {
  const r = JSON.parse(child("--run", String(maxImages), String(budgetMiB), String(calls), file))
  console.log(`| ${name} | ${(r.beforeKb / 1024).toFixed(0)} MB | ${(r.peakKb / 1024).toFixed(0)} MB | ${(r.ms / 1000).toFixed(1)} | ${r.peakImages} | ${(r.peakBytes / 2 ** 20).toFixed(0)} |`)
}
console.log(`\nload average at end ${loadavg().map((l) => l.toFixed(1)).join(" ")}`)
rmSync(dir, { recursive: true, force: true })
