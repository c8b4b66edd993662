/**
 * `npm run build:web`: the web app as static files in dist/web, ready for S3 +
 * CloudFront (or any static host). `MEDIA_WEB_API_URL` sets the API base URL
 * written to config.json (default: the app's own origin).
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { buildWebApp } from "./build.ts"

const outDir = fileURLToPath(new URL("../dist/web/", import.meta.url))
const apiBaseUrl = (process.env.MEDIA_WEB_API_URL ?? "").replace(/\/+$/, "")

const files = await buildWebApp({ apiBaseUrl })
rmSync(outDir, { recursive: true, force: true })
for (const file of files) {
  const target = join(outDir, file.path)
  mkdirSync(dirname(target), { recursive: true })
  writeFileSync(target, file.bytes)
}
const total = files.reduce((sum, file) => sum + file.bytes.length, 0)
console.log(`Built the web app into ${outDir} (${files.length} files, ${Math.round(total / 1024)} KiB):`)
for (const file of files) console.log(`  ${file.path.padEnd(24)} ${String(Math.round(file.bytes.length / 1024)).padStart(5)} KiB`)
