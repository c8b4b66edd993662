/**
 * Node's HTTP server with our limits (ServerLimits.ts). Requests Node's HTTP
 * parser refuses before any handler runs (a request line or headers over its
 * limit, malformed HTTP, headers or body too slow) would otherwise get a bare
 * status line: they get our error shape and a request id too (SPEC §7).
 */
import { randomUUID } from "node:crypto"
import { createServer, type Server } from "node:http"
import type { Socket } from "node:net"
import type { FrontRoute } from "./FrontRoutes.ts"
import type { ServerLimitsShape } from "./ServerLimits.ts"

// The same rule as the request middleware: a well-formed client id is kept, anything else replaced.
const clientRequestId = (raw: Buffer | undefined): string | undefined => {
  const match = raw?.toString("latin1").match(/\r\nx-request-id:[ \t]*([A-Za-z0-9._-]{1,128})[ \t]*\r\n/i)
  return match?.[1]
}

/** Time a refused client gets to read our answer before its socket is destroyed (it may never close its end). */
const closeGraceMs = 1_000

const reply = (socket: Socket, raw: Buffer | undefined, status: number, reason: string, message: string) => {
  const requestId = clientRequestId(raw) ?? randomUUID()
  const body = JSON.stringify({ error_code: "INVALID_REQUEST", error_data: { message }, request_id: requestId })
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `x-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`
  )
  // end() only half-closes: a client that never closes its side would keep the descriptor and a connection slot.
  const timer = setTimeout(() => socket.destroy(), closeGraceMs)
  timer.unref()
  socket.once("close", () => clearTimeout(timer))
}

const onClientError = (error: Error & { code?: string; rawPacket?: Buffer }, socket: Socket) => {
  // Nothing can be written to a socket that is gone, and after a response was already sent on it
  // (an unread body parsed as a next request) a second one would corrupt the stream: close it, as Node does.
  if (error.code === "ECONNRESET" || !socket.writable || socket.bytesWritten > 0) return socket.destroy()
  if (error.code === "HPE_HEADER_OVERFLOW") {
    return reply(socket, error.rawPacket, 431, "Request Header Fields Too Large", "request line or headers too large")
  }
  // headersTimeout / requestTimeout ran out (also for a connection that never sent a byte).
  if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") {
    return reply(socket, error.rawPacket, 408, "Request Timeout", "request not received in time")
  }
  return reply(socket, error.rawPacket, 400, "Bad Request", "malformed HTTP request")
}

/**
 * Node's `createServer` with `limits` applied, answering parser-level errors in our shape. Node checks the
 * headers and request timeouts every `connectionsCheckingInterval`, so that is kept at a fraction of them.
 * `front` (FrontRoutes.ts), when given, sees every request first; what it does not take goes to the
 * `request` listeners as usual (Effect's server adds its own when it starts serving).
 */
export const createApiServer = (limits: ServerLimitsShape, front?: FrontRoute): Server => {
  const server = createServer({
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4)))
  })
  server.maxConnections = limits.maxConnections
  // Socket inactivity, reads and writes alike. With no "timeout" listener Node destroys the socket: a client
  // that stopped reading a download (the response waits on backpressure) is dropped after this long.
  server.setTimeout(limits.idleTimeoutMs)
  if (front !== undefined) {
    // Effect's server registers a `request` listener that answers every request it gets, so the front
    // route cannot be just another listener: it sits in front of them, in the event's dispatch.
    const emit = server.emit
    server.emit = function(this: Server, event: string | symbol, ...args: Array<any>) {
      if (event === "request" && front(args[0], args[1])) return true
      return emit.apply(this, [event, ...args] as Parameters<Server["emit"]>)
    } as Server["emit"]
  }
  return server.on("clientError", onClientError)
}
