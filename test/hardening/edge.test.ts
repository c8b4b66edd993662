/**
 * The HTTP edge of the real embedded server (a child process): it listens on
 * HOST only, clients that never read a multi-megabyte download cost it little
 * memory and are dropped after the idle timeout while /healthz keeps
 * answering, and a file deleted behind the server's back is not served.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Schedule } from "effect"
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs"
import { connect, type Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as DynaliteFileRepository from "@media-object-storage/adapters/dynamodb/DynaliteFileRepository"
import type { AccountId, FileId } from "@media-object-storage/core/Ids"
import { FileRepository } from "@media-object-storage/core/ports/FileRepository"
import { api as childApi, type ChildServer, crash, freePort, killAll, startServer } from "./support/ChildServer.ts"

afterAll(killAll)

const account = "10020"
const token = "edge-test-token-6d2b9f0c4a"
const photo = readFileSync(new URL("../../adapters/test/fixtures/images/orientation/Landscape_1.jpg", import.meta.url))
/** Stands in for a large processed image: the route serves bytes, whatever they encode. */
const largeSize = 12 * 1024 * 1024
const readers = 30

const api = (server: ChildServer, path: string, init: RequestInit = {}) => childApi(server, token, path, init)

const readyFile = (server: ChildServer) =>
  Effect.gen(function*() {
    const ticket = yield* api(server, "/v1/media/upload-url", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ content_type: "image/jpeg", entity_type: "shipment_item", entity_id: "EDGE|SKU|DAMAGED|D1" })
    })
    assert.strictEqual(ticket.status, 200, ticket.text)
    const { file_id, upload_url, fields } = JSON.parse(ticket.text) as { file_id: string; upload_url: string; fields: Record<string, string> }
    const form = new FormData()
    for (const [name, value] of Object.entries(fields)) form.append(name, value)
    form.append("file", new Blob([photo], { type: "image/jpeg" }), "photo.jpg")
    assert.strictEqual(yield* Effect.promise(() => fetch(upload_url, { method: "POST", body: form }).then((r) => r.status)), 204)
    const file = yield* api(server, `/v1/media/${file_id}`).pipe(
      Effect.map((r) => JSON.parse(r.text) as { status: string; download_url?: string }),
      Effect.filterOrFail((f) => f.status === "ready", () => new Error("not ready yet")),
      Effect.retry({ schedule: Schedule.spaced("200 millis"), times: 300 }),
      Effect.orDie
    )
    return { fileId: file_id, url: file.download_url! }
  })

/** Resident memory of a process in bytes (Linux /proc). */
const rssOf = (pid: number): number => {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"))
  return Number(/(\d+)/.exec(line ?? "")?.[1] ?? Number.NaN) * 1024
}

/** Sockets the process holds open (Linux /proc): its listening socket, dynalite's none, and one per connection. */
const socketsOf = (pid: number): number =>
  readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith("socket:")
    } catch {
      return false // closed while we looked
    }
  }).length

interface StalledReader {
  readonly socket: Socket
}

/** Asks for `url` on a raw socket, takes the first chunk of the answer and then stops reading. */
const stalledReader = (url: URL) =>
  Effect.callback<StalledReader>((resume) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) })
    socket.on("error", () => {})
    socket.once("connect", () => socket.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`))
    socket.once("data", (first) => {
      socket.pause()
      assert.isTrue(first.toString("latin1").startsWith("HTTP/1.1 200 "), first.toString("latin1").slice(0, 200))
      resume(Effect.succeed({ socket }))
    })
    return Effect.sync(() => socket.destroy())
  })

/** Whether anything accepts a TCP connection at host:port. */
const accepts = (host: string, port: number) =>
  Effect.callback<boolean>((resume) => {
    const socket = connect({ host, port })
    socket.once("connect", () => {
      socket.destroy()
      resume(Effect.succeed(true))
    })
    socket.once("error", () => resume(Effect.succeed(false)))
  })

/** Waits (bounded: `times` × 200 ms) until `check` holds. */
const eventually = (check: () => boolean, times: number, message: string) =>
  Effect.suspend(() => check() ? Effect.void : Effect.fail(new Error(message))).pipe(
    Effect.retry({ schedule: Schedule.spaced("200 millis"), times }),
    Effect.orDie
  )

describe("the embedded server's HTTP edge", () => {
  it.live("listens on HOST only; slow readers of a large download stay cheap and are dropped; deleted files are refused", () =>
    Effect.gen(function*() {
      const dataDir = yield* Effect.acquireRelease(
        Effect.sync(() => mkdtempSync(join(tmpdir(), "media-edge-"))),
        (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
      )
      const authFile = join(dataDir, "test-credentials.json")
      writeFileSync(authFile, JSON.stringify({ credentials: [{ account_id: account, token, permissions: ["media:read", "media:write"] }] }))
      const port = yield* freePort
      const env = {
        HOST: "127.0.0.1",
        MEDIA_PUBLIC_URL: `http://127.0.0.1:${port}`,
        MEDIA_DATA_DIR: join(dataDir, "data"),
        MEDIA_AUTH_FILE: authFile,
        MEDIA_HTTP_LOG: "false",
        MEDIA_HTTP_IDLE_TIMEOUT_SECONDS: "5"
      }
      const server = yield* startServer(port, env)

      // HOST: 127.0.0.1 answers (startServer waited on it); another loopback address does not.
      assert.isTrue(yield* accepts("127.0.0.1", port))
      assert.isFalse(yield* accepts("127.0.0.2", port), "HOST=127.0.0.1 must not listen on every address")

      const { fileId, url } = yield* readyFile(server)
      const imagePath = join(dataDir, "data", "objects", ...new URL(url).pathname.replace(/^\/cdn\//, "").split("/"))
      writeFileSync(imagePath, Buffer.alloc(largeSize, 0xa5))
      const whole = yield* Effect.promise(() => fetch(url).then(async (r) => ({ status: r.status, size: (await r.arrayBuffer()).byteLength })))
      assert.deepStrictEqual(whole, { status: 200, size: largeSize })

      const pid = server.process.pid!
      const before = rssOf(pid)
      const socketsBefore = socketsOf(pid)
      const stalled: Array<StalledReader> = []
      for (let i = 0; i < readers; i++) stalled.push(yield* stalledReader(new URL(url)))
      // Every reader got its response started; the server now holds whatever it holds for them.
      let peak = 0
      for (let i = 0; i < 10; i++) {
        peak = Math.max(peak, rssOf(pid))
        const health = yield* Effect.promise(() => fetch(`${server.url}/healthz`).then((r) => r.status))
        assert.strictEqual(health, 200, "healthz answers while the readers stall")
        yield* Effect.sleep("100 millis")
      }
      const growth = peak - before
      console.log(`edge: RSS ${(before / 2 ** 20).toFixed(1)} MiB -> peak ${(peak / 2 ** 20).toFixed(1)} MiB with ${readers} stalled readers of ${largeSize / 2 ** 20} MiB`)
      assert.isBelow(growth, (readers * largeSize) / 5, `RSS grew ${growth} bytes for ${readers} readers of ${largeSize} bytes`)
      // Its listening socket and every stalled reader's connection.
      assert.isAtLeast(socketsOf(pid), readers + 1, "the server holds every stalled reader's connection")

      // The idle timeout (5 s here) drops them all on the server's side, though none of them reads again (a
      // paused client would only notice when it reads). Without one they are held for as long as the clients wait.
      yield* eventually(() => socketsOf(pid) <= socketsBefore, 150, "the server still holds the stalled readers' connections")
      for (const reader of stalled) reader.socket.destroy()
      assert.strictEqual(yield* Effect.promise(() => fetch(`${server.url}/healthz`).then((r) => r.status)), 200)

      // Deleted behind the server's back (the record only; the bytes stay on disk): refused after a restart.
      yield* crash(server)
      yield* Effect.scoped(Effect.gen(function*() {
        const context = yield* Layer.build(DynaliteFileRepository.layerDynalite({ path: join(dataDir, "data", "metadata") }))
        const removed = yield* FileRepository.use((repo) => repo.delete(account as AccountId, fileId as FileId)).pipe(
          Effect.provide(context)
        )
        assert.isTrue(Option.isSome(removed))
      }))
      const again = yield* startServer(port, env)
      const refused = yield* Effect.promise(() => fetch(url).then(async (r) => ({ status: r.status, text: await r.text() })))
      assert.strictEqual(refused.status, 403, refused.text.slice(0, 200))
      assert.include(refused.text, "AccessDenied")
      yield* crash(again)
    }), 180_000)
})
