/**
 * Builds one self-contained directory per Lambda under `dist/lambda/` (api, object-created, sweep),
 * each with an `index.mjs` exporting `handler` that plain Node 22 loads. sharp stays outside the
 * bundle: its prebuilt binaries for the target (linux, `--arch`, default arm64) are installed from
 * the npm registry into the processing bundles. The api bundle carries the docs page's script.
 *
 *   node infra/bundle/bundleLambdas.ts [--arch arm64|x64] [--out dist/lambda]
 */
import { execFileSync } from "node:child_process"
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { build, type Metafile } from "esbuild"

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..")

export type LambdaName = "api" | "object-created" | "sweep"
export type Arch = "arm64" | "x64"

/** The functions, and whether each processes images (needs sharp). */
export const lambdas: ReadonlyArray<{ readonly name: LambdaName; readonly processes: boolean }> = [
  { name: "api", processes: false },
  { name: "object-created", processes: true },
  { name: "sweep", processes: true }
]

export interface BundleOptions {
  readonly arch?: Arch
  readonly outDir?: string
  readonly only?: ReadonlyArray<LambdaName>
}

export interface BundleReport {
  readonly name: LambdaName
  readonly dir: string
  readonly bytes: number
  /** esbuild's record of every input file bundled (paths relative to the repository). */
  readonly metafile: Metafile
}

const require = createRequire(import.meta.url)

const sizeOf = (path: string): number => {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.size
  return readdirSync(path).reduce((total, entry) => total + sizeOf(join(path, entry)), 0)
}

/** The sharp version the adapters pin, so the bundle runs the sharp the tests ran. */
const sharpVersion = (): string => {
  const manifest = JSON.parse(readFileSync(join(repoRoot, "adapters", "package.json"), "utf8")) as { dependencies: Record<string, string> }
  const version = manifest.dependencies["sharp"]
  if (version === undefined) throw new Error("adapters/package.json does not depend on sharp")
  return version
}

/** sharp and its prebuilt linux binaries for `arch`, from npm's cache or else the registry, into `dir/node_modules`. */
const installSharp = (dir: string, arch: Arch) => {
  writeFileSync(join(dir, "package.json"), JSON.stringify({ private: true, type: "module", dependencies: { sharp: sharpVersion() } }, null, 2))
  execFileSync("npm", [
    "install", "--os=linux", `--cpu=${arch}`, "--libc=glibc", "--prefer-offline", "--omit=dev", "--no-package-lock", "--no-audit", "--no-fund",
    "--ignore-scripts", "--no-workspaces", "--loglevel=error"
  ], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] })
}

/** The docs page's browser script, where DocsRoutes resolves it (`@scalar/api-reference`'s standalone bundle). */
const copyDocsScript = (dir: string) => {
  const entry = require.resolve("@scalar/api-reference", { paths: [join(repoRoot, "apps")] })
  const packageDir = resolve(dirname(entry), "..")
  const target = join(dir, "node_modules", "@scalar", "api-reference")
  mkdirSync(join(target, "dist", "browser"), { recursive: true })
  const { version } = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as { version: string }
  writeFileSync(join(target, "package.json"), JSON.stringify({ name: "@scalar/api-reference", version, type: "module", exports: { ".": "./dist/index.js" } }))
  // Only resolved, never imported: the entry is an empty stand-in for the Vue components.
  writeFileSync(join(target, "dist", "index.js"), "export {}\n")
  cpSync(join(packageDir, "dist", "browser", "standalone.js"), join(target, "dist", "browser", "standalone.js"))
}

// CommonJS dependencies inside an ES module bundle call require() and read __dirname.
const banner = [
  `import { createRequire as __createRequire } from "node:module";`,
  `import { fileURLToPath as __fileURLToPath } from "node:url";`,
  `import { dirname as __pathDirname } from "node:path";`,
  `const require = __createRequire(import.meta.url);`,
  `const __filename = __fileURLToPath(import.meta.url);`,
  `const __dirname = __pathDirname(__filename);`
].join("\n")

/** Builds the bundles; returns each one's directory, size in bytes and esbuild metafile. */
export const bundleLambdas = async (options: BundleOptions = {}): Promise<ReadonlyArray<BundleReport>> => {
  const arch = options.arch ?? "arm64"
  const outDir = resolve(repoRoot, options.outDir ?? join("dist", "lambda"))
  const reports: Array<BundleReport> = []
  for (const lambda of lambdas.filter((l) => options.only === undefined || options.only.includes(l.name))) {
    const dir = join(outDir, lambda.name)
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    const result = await build({
      absWorkingDir: repoRoot,
      entryPoints: [join(repoRoot, "apps", "src", "lambda", lambda.name, "handler.ts")],
      // Split so that modules imported on demand (the secret stores' clients) load only when used.
      outdir: dir,
      entryNames: "index",
      chunkNames: "chunks/[name]-[hash]",
      outExtension: { ".js": ".mjs" },
      splitting: true,
      bundle: true,
      platform: "node",
      target: "node22",
      format: "esm",
      mainFields: ["module", "main"],
      // Our workspace packages from their TypeScript sources (their exports' "@media-object-storage/source").
      conditions: ["@media-object-storage/source"],
      external: lambda.processes ? ["sharp"] : [],
      banner: { js: banner },
      // Less to parse at a cold start; error tags and span names are strings, so logs stay readable.
      minify: true,
      legalComments: "none",
      metafile: true,
      logLevel: "error"
    })
    writeFileSync(join(outDir, `${lambda.name}.meta.json`), JSON.stringify(result.metafile))
    if (lambda.processes) installSharp(dir, arch)
    if (lambda.name === "api") copyDocsScript(dir)
    reports.push({ name: lambda.name, dir, bytes: sizeOf(dir), metafile: result.metafile })
  }
  return reports
}

const parseArgs = (argv: ReadonlyArray<string>): BundleOptions => {
  const value = (flag: string) => {
    const i = argv.indexOf(flag)
    return i === -1 ? undefined : argv[i + 1]
  }
  const arch = value("--arch") ?? "arm64"
  if (arch !== "arm64" && arch !== "x64") throw new Error(`--arch must be arm64 or x64, not ${arch}`)
  const outDir = value("--out")
  return { arch, ...(outDir === undefined ? {} : { outDir }) }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const options = parseArgs(process.argv.slice(2))
  const reports = await bundleLambdas(options)
  for (const report of reports) {
    console.log(`${relative(repoRoot, report.dir)}/  ${(report.bytes / 2 ** 20).toFixed(1)} MiB  (${options.arch ?? "arm64"})`)
  }
}
