/**
 * Builds the web app (web/src) with esbuild into a set of static files:
 * `index.html`, `config.json` and content-hashed `app-<hash>.js` / `.css`.
 * Used by `npm run build:web` (written to dist/web) and by the embedded
 * server, which builds in memory when no prebuilt dist/web exists.
 */
import { fileURLToPath } from "node:url"

/** One output file: its path relative to the app's root, and its bytes. */
export interface WebFile {
  readonly path: string
  readonly bytes: Uint8Array
}

/** What `config.json` holds; the app reads it at start. */
export interface WebConfig {
  /** Origin (and optional path) of the API, e.g. `https://media-api.example.com`; "" = the app's own origin. */
  readonly apiBaseUrl: string
}

const webRoot = fileURLToPath(new URL("./", import.meta.url))
const encoder = new TextEncoder()

/** Files of the built app whose names carry a content hash, so caches may keep them forever. */
export const isHashedAsset = (path: string): boolean => /-[A-Z0-9]{8}\.(js|css)$/.test(path)

const indexHtml = (script: string, style: string) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="no-referrer" />
    <title>Media — shipment photos</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="./${style}" />
    <script type="module" src="./${script}"></script>
  </head>
  <body>
    <noscript>This app needs JavaScript.</noscript>
    <div id="app"></div>
  </body>
</html>
`

/**
 * Bundles the app; nothing is written to disk. Rejects when esbuild is not
 * installed (a production install without devDependencies) or the build fails.
 */
export const buildWebApp = async (config: WebConfig = { apiBaseUrl: "" }): Promise<ReadonlyArray<WebFile>> => {
  const esbuild = await import("esbuild")
  const result = await esbuild.build({
    absWorkingDir: webRoot,
    entryPoints: { app: "src/main.ts" },
    bundle: true,
    // Our workspace packages from their TypeScript sources (their exports' "@media-object-storage/source").
    conditions: ["@media-object-storage/source"],
    format: "esm",
    target: ["es2022", "chrome109", "firefox115", "safari16"],
    minify: true,
    legalComments: "eof",
    entryNames: "[name]-[hash]",
    assetNames: "[name]-[hash]",
    outdir: "out",
    write: false,
    metafile: true,
    logLevel: "silent"
  })
  const files = result.outputFiles.map((file) => ({ path: file.path.slice(file.path.lastIndexOf("/") + 1), bytes: file.contents }))
  const script = files.find((file) => file.path.endsWith(".js"))?.path
  const style = files.find((file) => file.path.endsWith(".css"))?.path
  if (script === undefined || style === undefined) throw new Error("the web build produced no script or stylesheet")
  return [
    ...files,
    { path: "index.html", bytes: encoder.encode(indexHtml(script, style)) },
    { path: "config.json", bytes: encoder.encode(`${JSON.stringify(config, null, 2)}\n`) }
  ]
}
