/**
 * A tiny HTTP proxy on 127.0.0.1 in front of a test server, for injecting
 * faults the real server never makes on demand (a 503, an expired upload
 * target) and for counting requests. JSON answers have the server's origin
 * replaced by the proxy's, so upload and download URLs go through it too.
 */
import { Effect } from "effect"
import { createServer, type IncomingMessage, request as httpRequest } from "node:http"

export interface SeenRequest {
  readonly method: string
  readonly path: string
}

/** A canned answer instead of forwarding; the request body is read to the end first. */
export interface Injected {
  readonly status: number
  readonly body: string
  readonly contentType?: string
}

export interface ProxyOptions {
  /** Called for every request (with how many came before it); an answer replaces forwarding. */
  readonly intercept?: (request: SeenRequest, index: number) => Injected | undefined
  /** Rewrites the parsed JSON of forwarded API answers (after the origin swap). */
  readonly rewriteJson?: (request: SeenRequest, json: any) => any
}

export interface LoopbackProxy {
  readonly url: string
  readonly requests: ReadonlyArray<SeenRequest>
  /** Requests seen so far that match. */
  readonly count: (method: string, pathPrefix: string) => number
}

const readAll = (message: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Array<Buffer> = []
    message.on("data", (chunk: Buffer) => chunks.push(chunk))
    message.on("end", () => resolve(Buffer.concat(chunks)))
    message.on("error", reject)
  })

/** Starts the proxy in front of `target` (an origin) until the scope closes. */
export const loopbackProxy = (target: string, options: ProxyOptions = {}) =>
  Effect.acquireRelease(
    Effect.callback<{ proxy: LoopbackProxy; close: () => void }>((resume) => {
      const requests: Array<SeenRequest> = []
      let origin = ""
      const server = createServer((req, res) => {
        const seen = { method: req.method ?? "GET", path: req.url ?? "/" }
        const index = requests.length
        requests.push(seen)
        const injected = options.intercept?.(seen, index)
        if (injected !== undefined) {
          readAll(req).then(() => {
            res.writeHead(injected.status, { "content-type": injected.contentType ?? "application/xml" })
            res.end(injected.body)
          }, () => res.destroy())
          return
        }
        const upstream = httpRequest(`${target}${seen.path}`, { method: seen.method, headers: { ...req.headers, host: new URL(target).host } }, (answer) => {
          const isJson = (answer.headers["content-type"] ?? "").includes("application/json")
          if (!isJson) {
            res.writeHead(answer.statusCode ?? 502, answer.headers)
            answer.pipe(res)
            return
          }
          readAll(answer).then((body) => {
            let text = body.toString("utf8").split(target).join(origin)
            if (options.rewriteJson !== undefined) text = JSON.stringify(options.rewriteJson(seen, JSON.parse(text)))
            const headers = { ...answer.headers, "content-length": String(Buffer.byteLength(text)) }
            res.writeHead(answer.statusCode ?? 502, headers)
            res.end(text)
          }, () => res.destroy())
        })
        upstream.on("error", () => res.destroy())
        req.on("error", () => upstream.destroy())
        // A client that goes away mid-upload must look the same to the server.
        res.on("close", () => {
          if (!res.writableFinished) upstream.destroy()
        })
        req.pipe(upstream)
      })
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        const port = typeof address === "object" && address !== null ? address.port : 0
        origin = `http://127.0.0.1:${port}`
        resume(Effect.succeed({
          proxy: {
            url: origin,
            requests,
            count: (method, prefix) => requests.filter((r) => r.method === method && r.path.startsWith(prefix)).length
          },
          close: () => {
            server.closeAllConnections()
            server.close()
          }
        }))
      })
    }),
    ({ close }) => Effect.sync(close)
  ).pipe(Effect.map(({ proxy }) => proxy))
