/**
 * Image pipeline benchmark (docs/benchmarks.md "Image pipeline"):
 *   node bench/sharp/pipeline.ts            full run (~4 min on 2 cores), prints Markdown
 *   node bench/sharp/pipeline.ts --quick    fewer rounds
 *   node bench/sharp/pipeline.ts --paired   only the ours-vs-minimal latency pairs
 * Child modes: --generate <dir> writes the inputs; --peak <ours|minimal> <file> reports memory.
 */
import { execFileSync, spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs"
import { cpus, tmpdir, totalmem } from "node:os"
import { join } from "node:path"
import sharp from "sharp"
import { imageMagick, minimal, ours, oursWithThreads, thumbnailFromOutput, twoPipelines } from "./contenders.ts"
import { writeBenchImages } from "./images.ts"
import { interleaved, paired, type Throughput } from "./measure.ts"
import { imageMagickPeakKb, peakChild, type Peak } from "./peak.ts"

const args = process.argv.slice(2)
if (args[0] === "--generate") {
  await writeBenchImages(args[1]!)
  process.exit(0)
}
if (args[0] === "--peak") {
  await peakChild(args[1]!, args[2]!)
  process.exit(0)
}

const quick = args.includes("--quick")
const onlyPaired = args.includes("--paired")
const child = (...childArgs: Array<string>) => {
  const out = spawnSync(process.execPath, [import.meta.filename, ...childArgs], { encoding: "utf8" })
  if (out.status !== 0) throw new Error(out.stderr)
  return out.stdout
}
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`
const fmt = (x: number) => x.toFixed(2)

// Inputs come from a child and memory is measured first: a child's maxRSS starts at
// the parent's RSS (vfork + exec on Linux), so the parent must still be small here.
const dir = mkdtempSync(join(tmpdir(), "sharp-bench-"))
const mp12 = join(dir, "12mp.jpg"), mp48 = join(dir, "48mp.jpg")
child("--generate", dir)
const peaks: Record<string, Peak> = { ours: JSON.parse(child("--peak", "ours", mp48)), minimal: JSON.parse(child("--peak", "minimal", mp48)) }
const imPeak = imageMagickPeakKb(mp48)

const bytes12 = readFileSync(mp12)
console.log(`## Image pipeline — run of ${new Date().toISOString().slice(0, 10)}\n`)
console.log(`machine: ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}; sharp ${sharp.versions.sharp}, libvips ${sharp.versions.vips}; ${
  execFileSync("/usr/bin/convert", ["-version"], { encoding: "utf8" }).split("\n")[0]?.replace("Version: ", "")}`)
console.log(`input: 4000x3000 noisy gradient JPEG q92, ${(bytes12.length / 2 ** 20).toFixed(1)} MiB (no resize needed: the cost is decode + encode)\n`)

const table = (results: Record<string, Throughput>) => {
  console.log(`| contender | images/s (wall) | CPU ms/image |\n|---|---|---|`)
  for (const [name, r] of Object.entries(results)) console.log(`| ${name} | ${fmt(r.imagesPerSecond)} | ${r.cpuMsPerImage.toFixed(0)} |`)
  const o = results["ours"]!, m = results["minimal"]!, im = results["imagemagick"]!
  console.log(`\nours / minimal: ${fmt(o.imagesPerSecond / m.imagesPerSecond)}x wall, ${fmt(m.cpuMsPerImage / o.cpuMsPerImage)}x CPU (goal >= 0.95)  `)
  console.log(`ours / imagemagick: ${fmt(o.imagesPerSecond / im.imagesPerSecond)}x wall, ${fmt(im.cpuMsPerImage / o.cpuMsPerImage)}x CPU (goal >= 4)\n`)
}

{
  const pairs = quick ? 10 : 30
  const lat = await paired(["ours", ours()], ["minimal", minimal()], bytes12, pairs)
  console.log(`### Latency, ours and minimal alternating image by image (${pairs} each)\n`)
  console.log(`| contender | median ms | p10 ms | p90 ms |\n|---|---|---|---|`)
  for (const [name, l] of Object.entries(lat)) console.log(`| ${name} | ${l.medianMs.toFixed(0)} | ${l.p10Ms.toFixed(0)} | ${l.p90Ms.toFixed(0)} |`)
  console.log(`\nours / minimal by median latency: ${fmt(lat["minimal"]!.medianMs / lat["ours"]!.medianMs)}x (goal >= 0.95)\n`)
}
if (onlyPaired) {
  rmSync(dir, { recursive: true, force: true })
  process.exit(0)
}

for (const parallel of [1, 2]) {
  const results = await interleaved({
    ours: ours(),
    minimal: minimal(),
    imagemagick: imageMagick(mp12),
    ...(parallel === 1 ? {
      "ours, sharp.concurrency(2)": oursWithThreads(2),
      "variant: two pipelines from the original": twoPipelines,
      "variant: thumbnail from the output JPEG": thumbnailFromOutput,
      "variant: minimal with mozjpeg": minimal(true)
    } : {})
  }, bytes12, { rounds: quick ? 2 : parallel === 1 ? 6 : 8, batch: 2, parallel })
  console.log(`### ${parallel === 1 ? "One image at a time" : "Two images in flight (one per core)"}\n`)
  table(results)
}

{
  const bytes48 = readFileSync(mp48)
  const results = await interleaved({ ours: ours(), minimal: minimal(), imagemagick: imageMagick(mp48) }, bytes48,
    { rounds: quick ? 1 : 3, batch: 1, parallel: 1 })
  console.log(`### 8000x6000 (48 MP) JPEG, resized to 4096x3072, one at a time\n`)
  table(results)
}

console.log(`### Peak memory, 8000x6000 (48 MP) JPEG of ${(statSync(mp48).size / 2 ** 20).toFixed(1)} MiB, fresh child process\n`)
console.log(`| contender | maxRSS after loading + reading input | maxRSS peak (resourceUsage) | VmHWM |\n|---|---|---|---|`)
for (const [name, p] of Object.entries(peaks)) console.log(`| ${name} | ${mb(p.beforeKb)} | ${mb(p.peakKb)} | ${mb(p.hwmKb)} |`)
console.log(`| imagemagick (GNU time %M) | | ${mb(imPeak)} | |\n\ngoal: ours <= 400 MB`)
rmSync(dir, { recursive: true, force: true })
