/**
 * Issue 8.4: the embedded server survives its own disk. A child server runs on
 * a data directory that is a small tmpfs (the tests need root, as CI has); the
 * tmpfs is filled to the last byte and freed again. While full, the API answers
 * 500 in our error shape, the upload endpoint S3's 503 (nothing partial left),
 * /healthz still answers and /readyz says not ready; once freed, a new upload
 * ends `ready`. A server started on a full disk says there is no space left.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Clock, Duration, Effect } from "effect"
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { fillUp, remount, tmpfs } from "../support/tmpfs.ts"
import { api as childApi, type ChildServer, crash, freePort, killAll, type Reply, request, startServer } from "./support/ChildServer.ts"

afterAll(killAll)

const account = "10020"
const token = "disk-full-test-token-51c0e9"
const photo = readFileSync(new URL("../../adapters/test/fixtures/images/orientation/Landscape_1.jpg", import.meta.url))

const api = (server: ChildServer, path: string, init: RequestInit = {}) => childApi(server, token, path, init)

interface Ticket {
  readonly file_id: string
  readonly upload_url: string
  readonly fields: Record<string, string>
}

const askUpload = (server: ChildServer, n: number) =>
  api(server, "/v1/media/upload-url", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ content_type: "image/jpeg", entity_type: "shipment_item", entity_id: `DISK|SKU|DAMAGED|D${n}` })
  })

const ticketOf = (reply: Reply): Ticket => {
  assert.strictEqual(reply.status, 200, reply.text)
  return JSON.parse(reply.text) as Ticket
}

const postPhoto = (ticket: Ticket) => {
  const form = new FormData()
  for (const [name, value] of Object.entries(ticket.fields)) form.append(name, value)
  form.append("file", new Blob([photo], { type: "image/jpeg" }), "photo.jpg")
  return request(ticket.upload_url, { method: "POST", body: form })
}

/** Polls (bounded by `seconds`) until the file is final; its last record. */
const finalRecord = (server: ChildServer, fileId: string, seconds = 60) =>
  Effect.gen(function*() {
    const deadline = (yield* Clock.currentTimeMillis) + seconds * 1000
    let record: { status?: string; failure_reason?: string } = {}
    while ((yield* Clock.currentTimeMillis) < deadline) {
      const reply = yield* api(server, `/v1/media/${fileId}`)
      if (reply.status === 200) record = JSON.parse(reply.text)
      if (record.status === "ready" || record.status === "failed") break
      yield* Effect.sleep(Duration.millis(250))
    }
    return record
  })

/** Polls /readyz (bounded) until it answers `status`; the last answer. */
const readyzUntil = (server: ChildServer, status: number) =>
  Effect.gen(function*() {
    let reply = yield* request(`${server.url}/readyz`)
    for (let poll = 0; poll < 40 && reply.status !== status; poll++) {
      yield* Effect.sleep(Duration.millis(250))
      reply = yield* request(`${server.url}/readyz`)
    }
    return reply
  })

/** Asserts an error body of SPEC §7 whose request_id is the response's x-request-id. */
const assertErrorShape = (reply: Reply, code: string) => {
  const body = JSON.parse(reply.text) as { error_code?: unknown; error_data?: { message?: unknown }; request_id?: unknown }
  assert.deepStrictEqual(Object.keys(body).sort(), ["error_code", "error_data", "request_id"], reply.text)
  assert.strictEqual(body.error_code, code, reply.text)
  assert.isString(body.error_data?.message, reply.text)
  assert.strictEqual(body.request_id, reply.headers.get("x-request-id"), reply.text)
}

const tempFilesUnder = (dir: string): Array<string> =>
  existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((p) => p.endsWith(".tmp")) : []

const serverLog = (server: ChildServer) =>
  server.output().split("\n").filter((line) => !line.includes("http request")).slice(-40).join("\n")

/** A directory for the credentials file, outside the tmpfs (the server only reads it). */
const credentialsDir = Effect.acquireRelease(
  Effect.sync(() => {
    const dir = mkdtempSync(join(tmpdir(), "media-disk-full-"))
    writeFileSync(
      join(dir, "credentials.json"),
      JSON.stringify({ credentials: [{ account_id: account, token, permissions: ["media:read", "media:write"] }] })
    )
    return dir
  }),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

const serverEnv = (dataDir: string, authDir: string, port: number) => ({
  MEDIA_DATA_DIR: dataDir,
  MEDIA_AUTH_FILE: join(authDir, "credentials.json"),
  MEDIA_PUBLIC_URL: `http://127.0.0.1:${port}`,
  MEDIA_HTTP_LOG: "false"
})

const repoRoot = fileURLToPath(new URL("../../", import.meta.url))

/** Runs the server until it exits by itself (bounded: killed after `seconds`); its exit code and output. */
const runToExit = (port: number, env: Readonly<Record<string, string>>, seconds = 60) =>
  Effect.callback<{ readonly code: number | null; readonly output: string }>((resume) => {
    let output = ""
    const child = spawn(process.execPath, ["apps/src/server/main.ts"], {
      cwd: repoRoot,
      env: { ...process.env, ...env, PORT: String(port) },
      stdio: ["ignore", "pipe", "pipe"]
    })
    child.stdout.on("data", (chunk) => {
      output += String(chunk)
    })
    child.stderr.on("data", (chunk) => {
      output += String(chunk)
    })
    const bound = setTimeout(() => child.kill("SIGKILL"), seconds * 1000)
    child.once("exit", (code) => {
      clearTimeout(bound)
      resume(Effect.succeed({ code, output }))
    })
  })

/** SIGTERM, and wait until the child is gone: a clean stop. */
const stop = (server: ChildServer) =>
  Effect.callback<void>((resume) => {
    if (server.process.exitCode !== null || server.process.signalCode !== null) return resume(Effect.void)
    server.process.once("exit", () => resume(Effect.void))
    server.process.kill("SIGTERM")
  })

describe("the embedded server on a full disk", () => {
  it.live("answers 5xx in its error shapes while the disk is full, stays up, and takes uploads again once space returns", () =>
    Effect.gen(function*() {
      const dataDir = yield* tmpfs(16 * 1024 * 1024)
      const authDir = yield* credentialsDir
      const port = yield* freePort
      const server = yield* Effect.acquireRelease(startServer(port, serverEnv(dataDir, authDir, port)), crash)

      const early = ticketOf(yield* askUpload(server, 0))
      const beforeFull = ticketOf(yield* askUpload(server, 1))
      assert.strictEqual((yield* postPhoto(early)).status, 204)
      assert.strictEqual((yield* finalRecord(server, early.file_id)).status, "ready", serverLog(server))

      const filler = fillUp(dataDir)

      // The upload endpoint: S3's 503, and no partial file of it anywhere.
      const refused = yield* postPhoto(beforeFull)
      assert.strictEqual(refused.status, 503, refused.text)
      assert.match(refused.text, /<Code>ServiceUnavailable<\/Code>/)
      // The reason is in the server's log (the client's answer says nothing internal).
      const reason = "upload refused: the object store cannot write (no space left on device (ENOSPC))"
      for (let poll = 0; poll < 50 && !server.output().includes(reason); poll++) yield* Effect.sleep(Duration.millis(100))
      assert.include(server.output(), reason)
      assert.notInclude(refused.text, "ENOSPC")
      assert.deepStrictEqual(tempFilesUnder(join(dataDir, "objects")), [])
      assert.isFalse(existsSync(join(dataDir, "objects", "originals", account, beforeFull.file_id)))

      // The API: LevelDB buffers its log, so writes fail once a flush meets the full disk (bounded).
      let failed: Reply | undefined
      for (let n = 2; n < 400 && failed === undefined; n++) {
        const reply = yield* askUpload(server, n)
        if (reply.status !== 200) failed = reply
      }
      assert.isDefined(failed, "no API write failed on a full disk")
      assert.strictEqual(failed!.status, 500, failed!.text)
      assertErrorShape(failed!, "INTERNAL_ERROR")
      // Reads still work, and the process is alive.
      assert.strictEqual((yield* api(server, `/v1/media/${early.file_id}`)).status, 200)
      assert.strictEqual((yield* request(`${server.url}/healthz`)).status, 200)
      assert.isNull(server.process.exitCode, serverLog(server))
      const notReady = yield* readyzUntil(server, 503)
      assert.strictEqual(notReady.status, 503, notReady.text)
      assertErrorShape(notReady, "INTERNAL_ERROR")

      rmSync(filler)

      // The client retries the refused upload, and a new one goes through too: both end ready.
      assert.strictEqual((yield* postPhoto(beforeFull)).status, 204)
      const after = ticketOf(yield* askUpload(server, 1000))
      assert.strictEqual((yield* postPhoto(after)).status, 204)
      for (const fileId of [beforeFull.file_id, after.file_id]) {
        const record = yield* finalRecord(server, fileId)
        assert.strictEqual(record.status, "ready", `${fileId}: ${JSON.stringify(record)}\n${serverLog(server)}`)
      }
      assert.strictEqual((yield* readyzUntil(server, 200)).status, 200, serverLog(server))

      // An object store whose directory is gone is not ready either; it is again once the directory is back.
      const objects = join(dataDir, "objects")
      renameSync(objects, `${objects}.away`)
      assert.strictEqual((yield* readyzUntil(server, 503)).status, 503)
      renameSync(`${objects}.away`, objects)
      assert.strictEqual((yield* readyzUntil(server, 200)).status, 200)
      assert.isNull(server.process.exitCode)
    }).pipe(Effect.scoped), 180_000)

  it.live("refuses to start on a full disk saying there is no space left (fresh or with data), and on a read-only one", () =>
    Effect.gen(function*() {
      const dataDir = yield* tmpfs(4 * 1024 * 1024)
      const authDir = yield* credentialsDir
      const port = yield* freePort
      const env = serverEnv(dataDir, authDir, port)

      const filler = fillUp(dataDir)
      const fresh = yield* runToExit(port, env)
      assert.strictEqual(fresh.code, 1, fresh.output)
      assert.include(fresh.output, "no space left on device (ENOSPC)")
      assert.notInclude(fresh.output, "another server")

      // With data: the metadata store cannot open (LevelDB writes a new log at every open).
      rmSync(filler)
      const first = yield* startServer(port, env)
      yield* stop(first)
      fillUp(dataDir)
      const full = yield* runToExit(port, env)
      assert.strictEqual(full.code, 1, full.output)
      assert.include(full.output, "cannot open the metadata store")
      assert.include(full.output, "no space left on device (ENOSPC)")
      assert.notInclude(full.output, "another server")

      // A read-only data directory says so too.
      rmSync(join(dataDir, "filler"))
      remount(dataDir, "ro")
      const readOnly = yield* runToExit(port, env).pipe(Effect.ensuring(Effect.sync(() => remount(dataDir, "rw"))))
      assert.strictEqual(readOnly.code, 1, readOnly.output)
      assert.include(readOnly.output, "the file system is read-only (EROFS)")
      assert.notInclude(readOnly.output, "another server")
    }).pipe(Effect.scoped), 180_000)

  it.live("a full metadata directory alone: API 500, /readyz 503, the upload asks for a retry; freed, all recover", () =>
    Effect.gen(function*() {
      const authDir = yield* credentialsDir
      const dataDir = join(authDir, "data")
      const metadata = yield* tmpfs(4 * 1024 * 1024, join(dataDir, "metadata"))
      const port = yield* freePort
      const server = yield* Effect.acquireRelease(startServer(port, serverEnv(dataDir, authDir, port)), crash)
      const ticket = ticketOf(yield* askUpload(server, 0))

      const filler = fillUp(metadata)
      let failed: Reply | undefined
      for (let n = 1; n < 400 && failed === undefined; n++) {
        const reply = yield* askUpload(server, n)
        if (reply.status !== 200) failed = reply
      }
      assert.isDefined(failed, "no API write failed on a full metadata disk")
      assert.strictEqual(failed!.status, 500, failed!.text)
      assertErrorShape(failed!, "INTERNAL_ERROR")
      // The objects disk has room, the metadata store takes no writes: not ready.
      const notReady = yield* readyzUntil(server, 503)
      assert.strictEqual(notReady.status, 503, notReady.text)
      // The upload is stored but its arrival cannot be recorded: S3's 500, the client retries.
      const refused = yield* postPhoto(ticket)
      assert.strictEqual(refused.status, 500, refused.text)
      assert.match(refused.text, /<Code>InternalError<\/Code>/)
      assert.strictEqual((yield* request(`${server.url}/healthz`)).status, 200)
      assert.isNull(server.process.exitCode, serverLog(server))

      rmSync(filler)
      assert.strictEqual((yield* readyzUntil(server, 200)).status, 200, serverLog(server))
      assert.strictEqual((yield* postPhoto(ticket)).status, 204)
      const record = yield* finalRecord(server, ticket.file_id)
      assert.strictEqual(record.status, "ready", `${JSON.stringify(record)}\n${serverLog(server)}`)
    }).pipe(Effect.scoped), 180_000)

  // A store outage is not an attempt (SPEC §6; the file backs off, its original kept): on code that
  // counted storage failures as attempts the file failed `processing_error` after three of them.
  it.live("an upload acknowledged before the disk filled during processing ends ready once space returns", () =>
    Effect.gen(function*() {
      const dataDir = yield* tmpfs(16 * 1024 * 1024)
      const authDir = yield* credentialsDir
      const port = yield* freePort
      const server = yield* Effect.acquireRelease(startServer(port, serverEnv(dataDir, authDir, port)), crash)
      const ticket = ticketOf(yield* askUpload(server, 0))

      // Room for the original (and a little metadata), not for its processed image (about as large).
      const filler = fillUp(dataDir)
      truncateSync(filler, statSync(filler).size - (photo.length + 96 * 1024))
      assert.strictEqual((yield* postPhoto(ticket)).status, 204, serverLog(server))

      // Full for longer than three attempts take at the default retry delays (15 s, doubling),
      // unless the file fails before that (bounded).
      let record: { status?: string; failure_reason?: string } = {}
      for (let poll = 0; poll < 65 && record.status !== "failed" && record.status !== "ready"; poll++) {
        yield* Effect.sleep(Duration.seconds(1))
        const reply = yield* api(server, `/v1/media/${ticket.file_id}`)
        if (reply.status === 200) record = JSON.parse(reply.text)
      }
      assert.notStrictEqual(record.status, "failed", `failed while the disk was full: ${JSON.stringify(record)}`)
      assert.isTrue(existsSync(join(dataDir, "objects", "originals", account, ticket.file_id)), "the original was lost")

      rmSync(filler)
      const final = yield* finalRecord(server, ticket.file_id, 300)
      assert.strictEqual(final.status, "ready", `${JSON.stringify(final)}\n${serverLog(server)}`)
    }).pipe(Effect.scoped), 420_000)
})
