/**
 * vitest globalSetup: `npm run build` (tsc -b, a no-op when dist/ is current) once before any
 * test, because some tests use the packages as built — the `media` bin in node_modules/.bin
 * runs clients/dist, and test/packages packs dist/ into tarballs.
 */
import { spawnSync } from "node:child_process"
import { join } from "node:path"

export default function setup(): void {
  const repoRoot = join(import.meta.dirname, "..", "..")
  const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc")
  const result = spawnSync(process.execPath, [tsc, "-b", "tsconfig.build.json"], { cwd: repoRoot, encoding: "utf8" })
  if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}\n${result.stderr}`)
}
