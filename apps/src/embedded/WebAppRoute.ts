/**
 * The web app at `/app` (embedded mode): the prebuilt `dist/web` when it
 * exists (`npm run build:web`), otherwise the app built in memory with esbuild
 * (a devDependency) when it is first asked for. Its `config.json` always points the
 * app at this server's own API. On AWS the app is deployed as static files.
 */
import { createHash } from "node:crypto"
import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect, Fiber, Layer, Option } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { buildWebApp, isHashedAsset, type WebFile } from "../../../web/build.ts"
import * as MethodNotAllowed from "../http/MethodNotAllowed.ts"

/** Where the embedded server serves the web app. */
export const webAppPath = "/app"

interface Asset {
  readonly bytes: Uint8Array
  readonly contentType: string
  readonly cacheControl: string
  readonly etag: string
}

const prebuiltDir = fileURLToPath(new URL("../../../dist/web/", import.meta.url))

const contentTypes: Readonly<Record<string, string>> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json",
  txt: "text/plain; charset=utf-8",
  png: "image/png",
  svg: "image/svg+xml"
}

const asset = (name: string, bytes: Uint8Array): Asset => ({
  bytes,
  contentType: contentTypes[name.slice(name.lastIndexOf(".") + 1)] ?? "application/octet-stream",
  // Content-hashed bundles never change under their name; the page and its config are revalidated.
  cacheControl: isHashedAsset(name) ? "public, max-age=31536000, immutable" : "no-cache",
  etag: `"${createHash("sha256").update(bytes).digest("base64url").slice(0, 27)}"`
})

const readPrebuilt = Effect.tryPromise(async (): Promise<ReadonlyArray<WebFile>> => {
  const names = await readdir(prebuiltDir)
  if (!names.includes("index.html")) throw new Error("no index.html")
  return Promise.all(names.map(async (name) => ({ path: name, bytes: new Uint8Array(await readFile(join(prebuiltDir, name))) })))
})

const buildNow = Effect.tryPromise(() => buildWebApp()).pipe(
  Effect.tap(() => Effect.logInfo("web app: built in memory (no dist/web)"))
)

/** The app's files by name, or None when there is neither a build nor esbuild to make one. */
const loadAssets = readPrebuilt.pipe(
  Effect.tap(() => Effect.logInfo("web app: serving the prebuilt dist/web")),
  Effect.catch(() => buildNow),
  Effect.map((files: ReadonlyArray<WebFile>) => {
    const assets = new Map(files.map((file) => [file.path, asset(file.path, file.bytes)]))
    // Served by the API itself: the app calls its own origin, whatever a static build was configured for.
    assets.set("config.json", asset("config.json", new TextEncoder().encode(`{ "apiBaseUrl": "" }\n`)))
    return Option.some(assets)
  }),
  Effect.catch((cause) =>
    Effect.as(
      Effect.logWarning("web app: not served (no dist/web, and esbuild could not build it)", { cause: String(cause) }),
      Option.none()
    )
  )
)

/**
 * Registers `GET /app/*` (`/app/` is index.html) and `GET /app`, a redirect
 * to `/app/`. `publicUrl` (MEDIA_PUBLIC_URL) is where uploads
 * and signed image URLs point, so the page's CSP allows it.
 */
export const webAppRoute = (publicUrl: string) => {
  const publicOrigin = new URL(publicUrl).origin
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    // Uppy sets inline style attributes.
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob: ${publicOrigin}`,
    `connect-src 'self' ${publicOrigin}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'"
  ].join("; ")
  const routes = HttpRouter.use(Effect.fnUntraced(function*(router) {
    // Read or built by the first visit, not as the server starts: a build is seconds of esbuild's CPU
    // that /healthz, /readyz and the API do not need. In a fiber of the server's scope, so a first
    // visitor who leaves does not stop it; later visits get the same files.
    const scope = yield* Effect.scope
    const loading = yield* Effect.cached(Effect.forkIn(loadAssets, scope))
    const assets = Effect.flatMap(loading, Fiber.join)
    yield* router.add("GET", `${webAppPath}/*`, (request: HttpServerRequest.HttpServerRequest) =>
      Effect.gen(function*() {
        const url = new URL(request.url, "http://localhost")
        // The router serves `/app` with `/app/*`: redirect it, so the app's relative URLs resolve under `/app/`.
        if (url.pathname === webAppPath) return HttpServerResponse.redirect(`${webAppPath}/${url.search}`, { status: 301 })
        const loaded = yield* assets
        if (Option.isNone(loaded)) {
          return HttpServerResponse.text("The web app is not built here: run `npm run build:web` (needs the devDependencies).", { status: 503 })
        }
        const path = url.pathname.slice(webAppPath.length + 1)
        const name = path === "" ? "index.html" : path
        const found = loaded.value.get(name)
        if (found === undefined) return HttpServerResponse.text("Not found", { status: 404 })
        const headers: Record<string, string> = {
          "cache-control": found.cacheControl,
          etag: found.etag,
          "x-content-type-options": "nosniff"
        }
        if (name === "index.html") {
          headers["content-security-policy"] = csp
          headers["referrer-policy"] = "no-referrer"
        }
        if (request.headers["if-none-match"] === found.etag) return HttpServerResponse.empty({ status: 304, headers })
        return HttpServerResponse.uint8Array(found.bytes, { contentType: found.contentType, headers })
      }))
  }))
  return Layer.mergeAll(
    routes,
    MethodNotAllowed.layer([{ path: `${webAppPath}/*`, methods: ["GET"] }])
  )
}
