/**
 * The published packages as a consumer gets them (issue 11): `npm run build` (vitest's globalSetup), `npm pack` of every
 * public workspace, the tarballs installed into a fresh project outside this repository (no
 * workspace links, no source condition), then
 * - the consumer's TypeScript (test/packages/consumer/src, and each package README's first ```ts
 *   example) type-checks against the published .d.ts;
 * - the request-upload → object arrived → ready path runs on plain Node 22 without type stripping,
 *   and under Deno, from the built JavaScript;
 * - the laws and arbitraries of @media-object-storage/testing run in the consumer's own property test;
 * - the `media` bin of the client starts;
 * - core passes `deno publish --dry-run` (JSR).
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { type SpawnSyncReturns, spawnSync } from "node:child_process"
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const repoRoot = join(import.meta.dirname, "..", "..")
/** The published packages: workspace folder → package name. The apps and tests stay private. */
const packages = {
  core: "@media-object-storage/core",
  api: "@media-object-storage/api",
  adapters: "@media-object-storage/adapters",
  testing: "@media-object-storage/testing",
  clients: "@media-object-storage/client"
} as const
type Folder = keyof typeof packages
const folders = Object.keys(packages) as ReadonlyArray<Folder>

/** The environment of a plain consumer: no NODE_OPTIONS (so no source condition), our Node 22 first on PATH. */
const plainEnv = (): NodeJS.ProcessEnv => {
  const { NODE_OPTIONS: _dropped, ...env } = process.env
  return { ...env, PATH: `${join(repoRoot, "node_modules", ".bin")}:${process.env.PATH ?? ""}` }
}

const run = (command: string, args: ReadonlyArray<string>, cwd: string, env = plainEnv()): SpawnSyncReturns<string> =>
  spawnSync(command, args, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 600_000 })

const ok = (result: SpawnSyncReturns<string>, what: string): string => {
  if (result.status !== 0) {
    throw new Error(`${what} exited ${result.status ?? result.signal}:\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`)
  }
  return result.stdout
}

const node = process.execPath
const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc")
const deno = join(repoRoot, "node_modules", ".bin", "deno")

let work: string
let consumer: string
const tarballs = new Map<Folder, string>()
let compilation: SpawnSyncReturns<string> | undefined
/** Compiles the consumer (type-checking it against the published .d.ts) into out/, once; later calls see the same outcome. */
const compiled = (): void => {
  compilation ??= run(node, [tsc, "-p", "tsconfig.json"], consumer)
  ok(compilation, "tsc in the consumer")
}

/** The first ```ts block of a README: the example the README promises is complete. */
const firstExample = (readme: string): string | undefined => /```ts\n([\s\S]*?)```/.exec(readme)?.[1]

beforeAll(() => {
  // dist/ is current: vitest's globalSetup ran `npm run build` (test/support/buildPackages.ts).
  work = mkdtempSync(join(tmpdir(), "media-consumer-"))
  const packed = JSON.parse(ok(
    run("npm", ["pack", "--json", "--pack-destination", work, ...folders.flatMap((f) => ["--workspace", f])], repoRoot),
    "npm pack"
  )) as ReadonlyArray<{ readonly name: string; readonly filename: string }>
  for (const folder of folders) {
    const entry = packed.find((p) => p.name === packages[folder])
    assert.isDefined(entry, `npm pack made no tarball for ${packages[folder]}`)
    tarballs.set(folder, join(work, entry!.filename))
  }
  consumer = join(work, "consumer")
  mkdirSync(consumer)
  cpSync(join(import.meta.dirname, "consumer"), consumer, { recursive: true })
  const rootManifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
    devDependencies: Record<string, string>
  }
  const coreManifest = JSON.parse(readFileSync(join(repoRoot, "core", "package.json"), "utf8")) as {
    dependencies: Record<string, string>
  }
  writeFileSync(
    join(consumer, "package.json"),
    JSON.stringify({
      name: "shipment-service",
      private: true,
      type: "module",
      dependencies: {
        ...Object.fromEntries(folders.map((f) => [packages[f], `file:${tarballs.get(f)}`])),
        effect: coreManifest.dependencies["effect"],
        "fast-check": rootManifest.devDependencies["fast-check"],
        "@types/node": rootManifest.devDependencies["@types/node"]
      }
    }, null, 2)
  )
  // Each README's first example, as the consumer would paste it.
  for (const folder of folders) {
    const example = firstExample(readFileSync(join(repoRoot, folder, "README.md"), "utf8"))
    if (example !== undefined) writeFileSync(join(consumer, "src", `readme-${folder}.ts`), example)
  }
  // Every public entry point of every package, so the type-check covers all of the published .d.ts.
  const entries = folders.flatMap((folder) => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, folder, "package.json"), "utf8")) as { exports: Record<string, unknown> }
    return Object.keys(manifest.exports).filter((k) => k !== "./package.json").map((k) => `${packages[folder]}${k.slice(1)}`)
  })
  writeFileSync(
    join(consumer, "src", "entries.ts"),
    entries.map((e, i) => `import * as entry${i} from "${e}"\n`).join("") +
      `export const entries = [${entries.map((_, i) => `entry${i}`).join(", ")}]\n`
  )
  ok(run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], consumer), "npm install of the tarballs")
}, 900_000)

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true })
})

describe("published packages", () => {
  it("hold built ESM, .d.ts and source maps, a README and the licence, and nothing of the tests", () => {
    for (const folder of folders) {
      const listing = ok(run("tar", ["-tzf", tarballs.get(folder)!], work), "tar").split("\n").filter((l) => l !== "")
      const has = (path: string) => listing.includes(`package/${path}`)
      for (const path of ["package.json", "README.md", "LICENSE", "dist/index.js", "dist/index.d.ts", "dist/index.js.map", "dist/index.d.ts.map"]) {
        if (folder === "adapters" && path.startsWith("dist/index")) continue
        assert.isTrue(has(path), `${packages[folder]} lacks ${path}`)
      }
      for (const path of listing) {
        assert.notMatch(path, /\/test\/|\.test\.ts$|tsbuildinfo|node_modules/, `${packages[folder]} ships ${path}`)
      }
    }
  })

  it("name every public entry point (no wildcard), resolve each one to a packed file, move versions together and are not private", () => {
    const root = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string }
    for (const folder of folders) {
      const manifest = JSON.parse(readFileSync(join(consumer, "node_modules", packages[folder], "package.json"), "utf8")) as {
        version: string
        private?: boolean
        exports: Record<string, string | Record<string, string>>
        dependencies?: Record<string, string>
      }
      assert.strictEqual(manifest.version, root.version, `${packages[folder]} moves with the repository's version`)
      assert.notStrictEqual(manifest.private, true)
      for (const [name, target] of Object.entries(manifest.exports)) {
        assert.notInclude(name, "*", `${packages[folder]} exports a wildcard`)
        const targets = typeof target === "string" ? { default: target } : target
        for (const [condition, path] of Object.entries(targets)) {
          if (condition === "@media-object-storage/source") continue
          assert.isTrue(existsSync(join(consumer, "node_modules", packages[folder], path)), `${packages[folder]} ${name} → ${path}`)
        }
      }
      for (const [dependency, version] of Object.entries(manifest.dependencies ?? {})) {
        if (dependency.startsWith("@media-object-storage/")) assert.strictEqual(version, root.version, `${packages[folder]} → ${dependency}`)
      }
    }
  })

  it("type-check a consumer's code, every public entry point and every README example against the published .d.ts", () => {
    compiled()
  }, 300_000)

  it("run request-upload → object arrived → ready on plain Node 22 (no type stripping)", () => {
    compiled()
    const out = ok(run(node, ["--no-experimental-strip-types", "out/lifecycle.js"], consumer), "node out/lifecycle.js")
    assert.deepStrictEqual(JSON.parse(out), {
      before: "uploading",
      outcome: "ready",
      status: "ready",
      width: 640,
      height: 480,
      hasDownloadUrl: true
    })
  })

  it("load every public entry point of every package on plain Node 22", () => {
    compiled()
    const out = ok(
      run(node, ["--no-experimental-strip-types", "--input-type=module", "-e", "const { entries } = await import('./out/entries.js'); console.log(entries.length)"], consumer),
      "node: import every entry point"
    )
    assert.isAbove(Number(out.trim()), 40)
  })

  it("run the laws and arbitraries of @media-object-storage/testing in the consumer's own property test", () => {
    compiled()
    const out = ok(run(node, ["--no-experimental-strip-types", "out/laws.js"], consumer), "node out/laws.js")
    assert.match(out, /laws passed: [1-9]\d*/)
  })

  it("run each README example that runs on its own (core, testing) on plain Node 22", () => {
    compiled()
    for (const folder of ["core", "testing"] as const) {
      ok(run(node, ["--no-experimental-strip-types", `out/readme-${folder}.js`], consumer), `the ${folder} README example`)
    }
  })

  it("run the same core path, and the laws, under Deno from the built packages", () => {
    compiled()
    const deno_ = (file: string) =>
      ok(run(deno, ["run", "--node-modules-dir=manual", "--allow-read", "--allow-env", "--no-prompt", file], consumer), `deno run ${file}`)
    assert.strictEqual((JSON.parse(deno_("out/lifecycle.js")) as { status: string }).status, "ready")
    assert.match(deno_("out/laws.js"), /laws passed: [1-9]\d*/)
  })

  it("install the `media` bin of the client, which runs on plain Node 22", () => {
    const out = ok(run(join(consumer, "node_modules", ".bin", "media"), ["--version"], consumer), "media --version")
    const root = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string }
    assert.include(out, root.version)
  })

  it("pass JSR's checks for core (deno publish --dry-run)", () => {
    const out = run(deno, ["publish", "--dry-run", "--allow-dirty", "--allow-slow-types"], join(repoRoot, "core"))
    ok(out, "deno publish --dry-run")
    assert.include(out.stdout + out.stderr, "Dry run complete")
  })
})
