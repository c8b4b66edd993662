/**
 * `npm run bench`: every benchmark, one after another (each prints its own
 * figures; see docs/benchmarks.md for what they mean and the last results),
 * or only those named: `npm run bench -- http e2e`. `--list` prints the commands.
 * Other areas under bench/ (e.g. bench/sharp, the image pipeline) are listed
 * with their own entry (a `main.ts`, or the file whose header says `node bench/...`)
 * and run only when named.
 */
import { spawnSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

const here = import.meta.dirname
const known: ReadonlyArray<readonly [string, string, string]> = [
  ["sign", "http/sign-cost.ts", "cost of one CloudFront URL signature (RSA-2048)"],
  ["signpage", "http/sign-page.ts", "a search page's 200 fresh URLs: async signer vs the SDK's sync one"],
  ["http", "http/get-file.ts", "GET /v1/media/{id}: HttpApi variants vs bare node:http"],
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
let failed = 0
for (const [name, script] of chosen) {
  console.log(`\n=== ${name}: node bench/${script}`)
  const result = spawnSync(process.execPath, [join(here, script)], { stdio: "inherit" })
  if (result.status !== 0) failed++
}
process.exit(failed === 0 ? 0 : 1)
