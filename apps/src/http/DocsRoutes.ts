/**
 * `GET /openapi.json` (the document generated from the API, for this
 * configuration) and `GET /docs`: the Scalar API reference for it, working
 * offline. The browser bundle is served from the installed
 * @scalar/api-reference package at `/docs/scalar.js` (cacheable, unlike an
 * inlined bundle), with Scalar's web fonts turned off so nothing is fetched
 * from a CDN.
 */
import { Effect } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import { MediaConfig } from "@media-object-storage/core/MediaConfig"
import { apiDocument } from "./ApiDocument.ts"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"

export const docsPath = "/docs"
export const scriptPath = "/docs/scalar.js"
export const openapiPath = "/openapi.json"

const scriptFile = (): string => {
  // The package exports only its ESM entry; the standalone bundle sits next to it.
  const entry = createRequire(import.meta.url).resolve("@scalar/api-reference")
  return fileURLToPath(new URL("./browser/standalone.js", `file://${entry}`))
}

/**
 * Scalar's options: no web fonts (they come from a CDN), no telemetry, no
 * hosted AI agent or MCP generator (both talk to Scalar's servers). Requests
 * from the try-it client go straight to this origin (no proxy is configured).
 */
const scalarOptions = {
  url: openapiPath,
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  mcp: { disabled: true },
  showDeveloperTools: "never",
  // A small API: every operation in view from the start.
  defaultOpenAllTags: true
}

// The mount point is not `#api-reference`: the standalone bundle mounts a
// second, configuration-less reference on an element with that id by itself.
const page = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Media Object Storage API</title>
  </head>
  <body>
    <div id="reference"></div>
    <script src="${scriptPath}"></script>
    <script>
      // The document's server is "/" (whatever origin serves it); the try-it client shows and
      // sends to this page's origin, without "//v1" from joining "/" and "/v1".
      Scalar.createApiReference("#reference", Object.assign(${JSON.stringify(scalarOptions)}, {
        servers: [{ url: location.origin, description: "This server" }]
      }))
    </script>
  </body>
</html>
`

export const DocsRoutes = HttpRouter.use(Effect.fnUntraced(function*(router) {
  const file = scriptFile()
  const { maxUploadBytes } = yield* MediaConfig
  yield* router.add("GET", openapiPath, HttpServerResponse.jsonUnsafe(apiDocument({ maxUploadBytes })))
  yield* router.add("GET", docsPath, HttpServerResponse.html(page))
  yield* router.add(
    "GET",
    scriptPath,
    HttpServerResponse.file(file, {
      contentType: "text/javascript; charset=utf-8",
      headers: { "cache-control": "public, max-age=86400" }
    }).pipe(Effect.orDie)
  )
}))
