/**
 * SPEC §6 crashes: a server killed mid-processing finishes every file after a
 * restart, within the attempt limit, leaving no original (the attempt limit
 * itself is tested on the memory layers in attempts.test.ts).
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Clock, Duration, Effect } from "effect"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, join } from "node:path"
import { api as childApi, type ChildServer, crash, freePort, killAll, startServer } from "./support/ChildServer.ts"

afterAll(killAll)

const account = "10020"
const token = "crash-test-token-4f1c9a7e2b"
const photo = readFileSync(new URL("../../adapters/test/fixtures/images/orientation/Landscape_1.jpg", import.meta.url))
const uploads = 12

const api = (server: ChildServer, path: string, init: RequestInit = {}) => childApi(server, token, path, init)

/** upload-url, then the multipart POST straight to storage; returns the file id after the 204. */
const uploadPhoto = (server: ChildServer, i: number) =>
  Effect.gen(function*() {
    const ticket = yield* api(server, "/v1/media/upload-url", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ content_type: "image/jpeg", entity_type: "shipment_item", entity_id: `CRASH|SKU|DAMAGED|D${i}` })
    })
    assert.strictEqual(ticket.status, 200, ticket.text)
    const { file_id, upload_url, fields } = JSON.parse(ticket.text) as {
      file_id: string
      upload_url: string
      fields: Record<string, string>
    }
    const form = new FormData()
    for (const [name, value] of Object.entries(fields)) form.append(name, value)
    form.append("file", new Blob([photo], { type: "image/jpeg" }), "photo.jpg")
    const stored = yield* Effect.promise(() => fetch(upload_url, { method: "POST", body: form }).then((r) => r.status))
    assert.strictEqual(stored, 204)
    return file_id
  })

const statusOf = (server: ChildServer, fileId: string) =>
  Effect.map(api(server, `/v1/media/${fileId}`), (r) => (JSON.parse(r.text) as { status: string; failure_reason?: string }))

/** Paths under `dir`, relative, recursively (missing dir: none). */
const listTree = (dir: string, prefix = ""): Array<string> =>
  existsSync(join(dir, prefix))
    ? readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? listTree(dir, join(prefix, e.name)) : [join(prefix, e.name)]
    )
    : []

/** Object keys stored under the data dir (the disk store's sidecars and temp files start with a dot). */
const objectPaths = (dataDir: string) => listTree(join(dataDir, "objects")).filter((p) => !basename(p).startsWith("."))

/** What a server logged besides its access log, for failure messages. */
const serverLog = (server: ChildServer) =>
  server.output().split("\n").filter((line) => !line.includes("http request")).slice(-60).join("\n")

describe("crash and restart of the embedded server", () => {
  it.live("a server killed mid-processing finishes every file after a restart, within 3 attempts, keeping no original", () =>
    Effect.gen(function*() {
      const dataDir = yield* Effect.acquireRelease(
        Effect.sync(() => mkdtempSync(join(tmpdir(), "media-crash-"))),
        (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
      )
      const authFile = join(dataDir, "test-credentials.json")
      writeFileSync(authFile, JSON.stringify({
        credentials: [{ account_id: account, token, permissions: ["media:read", "media:write"] }]
      }))
      const port = yield* freePort
      const env = {
        MEDIA_DATA_DIR: dataDir,
        MEDIA_AUTH_FILE: authFile,
        MEDIA_LEASE_SECONDS: "2",
        MEDIA_PUBLIC_URL: `http://127.0.0.1:${port}`
      }
      const first = yield* Effect.acquireRelease(startServer(port, env), crash)
      const ids = yield* Effect.forEach(Array.from({ length: uploads }, (_, i) => i), (i) => uploadPhoto(first, i), {
        concurrency: 4
      })
      // Kill as soon as one file is being processed (bounded: at most ~5 s of polling).
      let atCrash: ReadonlyArray<string> = []
      for (let poll = 0; poll < 100; poll++) {
        atCrash = (yield* Effect.forEach(ids, (id) => statusOf(first, id), { concurrency: 4 })).map((s) => s.status)
        if (atCrash.includes("processing")) break
        yield* Effect.sleep(Duration.millis(50))
      }
      yield* crash(first)
      // Otherwise the crash came too late to test anything.
      assert.isTrue(atCrash.some((s) => s !== "ready" && s !== "failed"), `all final before the crash: ${atCrash}`)
      const waiting = objectPaths(dataDir).filter((p) => p.startsWith("originals/")).length

      const second = yield* Effect.acquireRelease(startServer(port, env), crash)
      // The killed server left its marker: the restart repairs the metadata indexes before reading them.
      for (let poll = 0; poll < 50 && !second.output().includes("did not stop cleanly"); poll++) {
        yield* Effect.sleep(Duration.millis(100))
      }
      assert.include(second.output(), "did not stop cleanly", serverLog(second))
      // Lease 2 s, sweeper every 5 s, a lost event redispatched after 60 s: allow 75 s.
      let statuses: ReadonlyArray<{ status: string; failure_reason?: string }> = []
      const deadline = (yield* Clock.currentTimeMillis) + 75_000
      while ((yield* Clock.currentTimeMillis) < deadline) {
        statuses = yield* Effect.forEach(ids, (id) => statusOf(second, id), { concurrency: 4 })
        if (statuses.every((s) => s.status === "ready" || s.status === "failed")) break
        yield* Effect.sleep(Duration.millis(500))
      }
      assert.deepStrictEqual(
        statuses.map((s) => s.status),
        ids.map(() => "ready"),
        `${waiting} objects under originals/ at the crash (${atCrash}); statuses now ${statuses.map((s) => s.status)}\n` +
          `restarted server said:\n${serverLog(second)}`
      )

      // A file turns ready before its workflow deletes the original and any stale derivatives: let that finish.
      const settled = (paths: ReadonlyArray<string>) =>
        !paths.some((p) => p.startsWith("originals/")) &&
        ids.every((id) => paths.filter((p) => p.includes(id)).length === 2)
      let objects = objectPaths(dataDir)
      for (let poll = 0; poll < 50 && !settled(objects); poll++) {
        yield* Effect.sleep(Duration.millis(200))
        objects = objectPaths(dataDir)
      }
      for (const id of ids) {
        const mine = objects.filter((p) => p.includes(id))
        assert.deepStrictEqual(mine.filter((p) => p.startsWith("originals")), [], `original of ${id} left behind`)
        const derivatives = mine.map((p) => /^(images|thumbnails)\/10020\/[^/]+\/(\d+)\.jpg$/.exec(p))
        assert.strictEqual(derivatives.length, 2, `${id}: ${JSON.stringify(mine)}`)
        for (const match of derivatives) {
          assert.isNotNull(match, `${id}: unexpected object ${JSON.stringify(mine)}`)
          assert.isAtMost(Number(match![2]), 3, `${id} took more than 3 attempts`)
        }
      }
    }), 120_000)
})
