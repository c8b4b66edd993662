/**
 * `npm run bench`: every benchmark, one after another (each prints its own
 * figures; see docs/benchmarks.md for what they mean and the last results),
 * or only those named: `npm run bench -- http e2e`. `--list` prints the commands.
 * At the end it prints every goal the benchmarks measured (their `GOAL` lines:
 * the figure next to the goal of issue 13, met or missed) as one table.
 * Other areas under bench/ (e.g. bench/sharp, the image pipeline) are listed
 * with their own entry (a `main.ts`, or the file whose header says `node bench/...`)
 * and run only when named.
 */
import { spawn } from "node:child_process"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

const here = import.meta.dirname
const known: ReadonlyArray<readonly [string, string, string]> = [
  ["sign", "http/sign-cost.ts", "cost of one CloudFront URL signature (RSA-2048)"],
  ["signpage", "http/sign-page.ts", "a search page's 200 fresh URLs: async signer vs the SDK's sync one"],
  ["http", "http/get-file.ts", "GET /v1/media/{id}: ours vs Fastify 5 vs bare node:http (goal: ≤ 1.5× Fastify's CPU)"],
  ["signsearch", "http/sign-search.ts", "a search page of 100 ready files: first-signed vs without URLs (goal: ≤ 2×)"],
  ["uploadcpu", "e2e/upload-cpu.ts", "server CPU per upload outside the image work (goal: ≤ 15 ms)"],
  ["restart", "restart/main.ts", "restart after kill -9 vs clean with 100k files (goal: ≤ 1.5×); start to /healthz (goal: ≤ 700 ms)"],
  ["e2e", "e2e/uploads.ts", "100 uploads to ready vs pure processing time"],
  ["load", "load/load.ts", "reads with and without concurrent uploads on the embedded server"]
]
// Other engineers' areas, found rather than listed, so this file need not change with them.
const entryOf = (area: string): string | undefined => {
  if (existsSync(join(here, area, "main.ts"))) return "main.ts"
  return readdirSync(join(here, area))
    .filter((f) => f.endsWith(".ts"))
    .find((f) => readFileSync(join(here, area, f), "utf8").slice(0, 600).includes(`node bench/${area}/${f}`))
}
const others = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !known.some(([, script]) => script.startsWith(`${d.name}/`)))
  .flatMap((d) => {
    const entry = entryOf(d.name)
    return entry === undefined ? [] : [[d.name, `${d.name}/${entry}`, `bench/${d.name} (see its header and docs/benchmarks.md)`] as const]
  })
const benches = [...known, ...others]

const args = process.argv.slice(2)
if (args.includes("--list") || args.includes("--help")) {
  for (const [name, script, what] of benches) console.log(`${name.padEnd(6)} node bench/${script.padEnd(22)} ${what}`)
  process.exit(0)
}
const chosen = args.length === 0 ? known : benches.filter(([name]) => args.includes(name))
if (args.length === 0 && others.length > 0) {
  console.log(`also available (run by name): ${others.map(([name, script]) => `${name} (node bench/${script})`).join(", ")}`)
}
if (chosen.length === 0) {
  console.error(`no benchmark named ${args.join(", ")}; try --list`)
  process.exit(2)
}
/**
 * Runs one benchmark, passing its output through and keeping its goal lines:
 * `GOAL <measure> | <figure> | <goal> | met|missed` (one per goal it measures).
 */
const runOne = (script: string): Promise<{ readonly code: number; readonly goals: ReadonlyArray<string> }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [join(here, script)], { stdio: ["inherit", "pipe", "inherit"] })
    const goals: Array<string> = []
    let pending = ""
    child.stdout.on("data", (chunk: Buffer) => {
      process.stdout.write(chunk)
      const lines = (pending + chunk.toString("utf8")).split("\n")
      pending = lines.pop() ?? ""
      for (const line of lines) if (line.startsWith("GOAL ")) goals.push(line.slice(5))
    })
    child.on("close", (code) => {
      if (pending.startsWith("GOAL ")) goals.push(pending.slice(5))
      resolve({ code: code ?? 1, goals })
    })
  })

let failed = 0
const goals: Array<readonly [string, string]> = []
for (const [name, script] of chosen) {
  console.log(`\n=== ${name}: node bench/${script}`)
  const result = await runOne(script)
  if (result.code !== 0) failed++
  for (const goal of result.goals) goals.push([name, goal])
}
if (goals.length > 0) {
  const rows = goals.map(([name, line]) => [name, ...line.split("|").map((cell) => cell.trim())])
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...rows.map((r) => (r[i] ?? "").length), ["bench", "measure", "figure", "goal", "verdict"][i]!.length))
  const format = (cells: ReadonlyArray<string>) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ")
  console.log(`\n=== goals (${new Date().toISOString()})`)
  console.log(format(["bench", "measure", "figure", "goal", "verdict"]))
  for (const row of rows) console.log(format(row))
}
process.exit(failed === 0 ? 0 : 1)
