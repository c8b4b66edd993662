/**
 * Requests Node's HTTP parser refuses before any handler runs (a request line
 * or headers over its limit, malformed HTTP) would otherwise get a bare
 * status line: they get our error shape and a request id too (SPEC §7).
 */
import { randomUUID } from "node:crypto"
import { createServer, type Server } from "node:http"
import type { Socket } from "node:net"

// The same rule as the request middleware: a well-formed client id is kept, anything else replaced.
const clientRequestId = (raw: Buffer | undefined): string | undefined => {
  const match = raw?.toString("latin1").match(/\r\nx-request-id:[ \t]*([A-Za-z0-9._-]{1,128})[ \t]*\r\n/i)
  return match?.[1]
}

const reply = (socket: Socket, raw: Buffer | undefined, status: number, reason: string, message: string) => {
  const requestId = clientRequestId(raw) ?? randomUUID()
  const body = JSON.stringify({ error_code: "INVALID_REQUEST", error_data: { message }, request_id: requestId })
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `x-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`
  )
}

const onClientError = (error: Error & { code?: string; rawPacket?: Buffer }, socket: Socket) => {
  // Nothing can be written to a socket that is gone, and after a response was already sent on it
  // (an unread body parsed as a next request) a second one would corrupt the stream: close it, as Node does.
  if (error.code === "ECONNRESET" || !socket.writable || socket.bytesWritten > 0) return socket.destroy()
  if (error.code === "HPE_HEADER_OVERFLOW") {
    return reply(socket, error.rawPacket, 431, "Request Header Fields Too Large", "request line or headers too large")
  }
  return reply(socket, error.rawPacket, 400, "Bad Request", "malformed HTTP request")
}

/** Node's `createServer`, answering parser-level errors in our shape. */
export const createApiServer = (): Server => createServer().on("clientError", onClientError)
