/**
 * The baseline: a bare `node:http` server answering every request with the
 * JSON bytes (BENCH_BODY_FILE) our API returned for the benchmarked file.
 * Sends `{ port }` to the parent over IPC.
 */
import { readFileSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

const body = readFileSync(process.env.BENCH_BODY_FILE ?? "/dev/null")
const server = createServer((_request, response) => {
  response.writeHead(200, { "content-type": "application/json", "content-length": body.length })
  response.end(body)
})
server.listen(0, "127.0.0.1", () => process.send?.({ port: (server.address() as AddressInfo).port }))
// Exit normally on SIGINT, so `--cpu-prof` writes its profile.
process.once("SIGINT", () => process.exit(0))
