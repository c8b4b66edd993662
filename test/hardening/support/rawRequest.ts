/**
 * One HTTP request with the path sent byte for byte (fetch would normalise
 * `..`, `//` and percent-escapes away), to 127.0.0.1 only.
 */
import { Effect } from "effect"
import { request } from "node:http"

export interface RawRequest {
  readonly method: string
  /** Sent as is; must already be ASCII without spaces or controls. */
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  readonly body?: string | undefined
}

export interface RawReply {
  readonly status: number
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly text: string
}

export const rawRequest = (port: number, req: RawRequest) =>
  Effect.callback<RawReply, Error>((resume) => {
    // A fresh connection each time: a reused keep-alive socket the server just closed would read as a reset.
    const outgoing = request({ host: "127.0.0.1", port, method: req.method, path: req.path, headers: req.headers, agent: false }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (chunk: Buffer) => chunks.push(chunk))
      res.on("end", () =>
        resume(Effect.succeed({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") })))
      res.on("error", (error) => resume(Effect.fail(error)))
    })
    outgoing.on("error", (error) => resume(Effect.fail(error)))
    outgoing.setTimeout(10_000, () => outgoing.destroy(new Error("request timed out")))
    outgoing.end(req.body)
  })
