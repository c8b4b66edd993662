/**
 * SPEC §6 crashes: a server killed mid-processing finishes every file after a
 * restart, within the attempt limit, leaving no original; and a processor that
 * fails every time ends `failed`/`processing_error` after exactly 3 attempts.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Clock, Duration, Effect, Fiber, Option } from "effect"
import { TestClock } from "effect/testing"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, join } from "node:path"
import type { AccountId, FileId } from "@media/core/Ids"
import { defaultMediaConfig } from "@media/core/MediaConfig"
import { layerMemory } from "@media/core/memory/layerMemory"
import { makeMemoryImageProcessor } from "@media/core/memory/MemoryImageProcessor"
import { FileRepository } from "@media/core/ports/FileRepository"
import { ImageProcessor } from "@media/core/ports/ImageProcessor"
import { ObjectStore } from "@media/core/ports/ObjectStore"
import { imageKey, thumbnailKey } from "@media/core/ObjectKeys"
import { allObjectKeys } from "@media/core/usecases/DeleteFile"
import { driveFile } from "@media/core/usecases/ProcessUpload"
import { sweepDue } from "@media/core/usecases/SweepDue"
import { type ChildServer, crash, freePort, killAll, startServer } from "./support/ChildServer.ts"
import { freshAccount, pngHeader, uploadedFile } from "./support/files.ts"

afterAll(killAll)

const account = "10020"
const token = "crash-test-token-4f1c9a7e2b"
const photo = readFileSync(new URL("../../adapters/test/fixtures/images/orientation/Landscape_1.jpg", import.meta.url))
const uploads = 12

const api = (server: ChildServer, path: string, init: RequestInit = {}) =>
  Effect.promise(async () => {
    const response = await fetch(`${server.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) }
    })
    return { status: response.status, text: await response.text() }
  })

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

describe("a processor that fails every time", () => {
  const oneFile = Effect.gen(function*() {
    yield* TestClock.adjust(Duration.seconds(1_700_000_000))
    const account = freshAccount()
    return { account, file: yield* uploadedFile(account, pngHeader(10, 10)) }
  })
  const record = (account: AccountId, fileId: FileId) =>
    FileRepository.use((repo) => repo.get(account, fileId)).pipe(Effect.map(Option.getOrThrow))
  const leftovers = (account: AccountId, fileId: FileId) =>
    ObjectStore.use((store) =>
      Effect.map(Effect.forEach(allObjectKeys(account, fileId), (k) => Effect.map(store.head(k), Option.map(() => k))), (all) =>
        all.flatMap(Option.toArray)))

  it.effect("fails processing_error after exactly 3 attempts, keeping no object", () =>
    Effect.gen(function*() {
      const { account, file } = yield* oneFile
      let calls = 0
      const inner = yield* makeMemoryImageProcessor({ transientFailures: 99 })
      const counting = ImageProcessor.of({ process: (b, o) => Effect.suspend(() => { calls++; return inner.process(b, o) }) })
      const drive = driveFile(account, file.fileId, file.size).pipe(Effect.provideService(ImageProcessor, counting))
      // Attempt 1 fails and the file waits for its retry; the sweeper runs attempts 2 and 3 when due.
      assert.strictEqual(yield* drive, "uploaded")
      for (let retry = 0; retry < 2; retry++) {
        yield* TestClock.adjust(Duration.minutes(2))
        yield* sweepDue().pipe(Effect.provideService(ImageProcessor, counting))
      }
      assert.strictEqual(yield* drive, "failed")
      // The sweeper and duplicates later find nothing more to do.
      yield* TestClock.adjust(Duration.hours(2))
      yield* sweepDue().pipe(Effect.provideService(ImageProcessor, counting))
      assert.strictEqual(yield* drive, "failed")
      const final = yield* record(account, file.fileId)
      assert.strictEqual(final.failureReason, "processing_error")
      assert.strictEqual(final.attempts, 3)
      assert.strictEqual(calls, 3)
      assert.deepStrictEqual(yield* leftovers(account, file.fileId), [])
    }).pipe(Effect.provide(layerMemory())))

  it.effect("an attempt that crashes every time (never returns) is retried by the sweeper until it fails after 3", () =>
    Effect.gen(function*() {
      const { account, file } = yield* oneFile
      let calls = 0
      const hanging = ImageProcessor.of({ process: () => Effect.suspend(() => { calls++; return Effect.never }) })
      const untilProcessing = (attempt: number) =>
        Effect.gen(function*() {
          for (let i = 0; i < 1000; i++) {
            const now = yield* record(account, file.fileId)
            if (now.status === "processing" && now.attempts === attempt) return
            yield* Effect.yieldNow
          }
          assert.fail(`attempt ${attempt} never started`)
        })
      /** Runs `work` until the file is processing, then "crashes" it (interrupts it mid-attempt). */
      const crashDuring = <A, E, R>(attempt: number, work: Effect.Effect<A, E, R>) =>
        Effect.gen(function*() {
          const fiber = yield* Effect.forkChild(work.pipe(Effect.provideService(ImageProcessor, hanging)))
          yield* untilProcessing(attempt)
          yield* Fiber.interrupt(fiber)
        })
      yield* crashDuring(1, driveFile(account, file.fileId, file.size))
      for (let attempt = 2; attempt <= 3; attempt++) {
        yield* TestClock.adjust(Duration.seconds(defaultMediaConfig.leaseSeconds + 1))
        yield* crashDuring(attempt, sweepDue())
        assert.strictEqual((yield* record(account, file.fileId)).attempts, attempt)
      }
      yield* TestClock.adjust(Duration.seconds(defaultMediaConfig.leaseSeconds + 1))
      yield* sweepDue().pipe(Effect.provideService(ImageProcessor, hanging))
      const final = yield* record(account, file.fileId)
      assert.strictEqual(final.status, "failed")
      assert.strictEqual(final.failureReason, "processing_error")
      assert.strictEqual(final.attempts, 3)
      assert.strictEqual(calls, 3)
      assert.deepStrictEqual(yield* leftovers(account, file.fileId), [])
    }).pipe(Effect.provide(layerMemory())))
})

describe("a crash after an attempt stored its derivatives", () => {
  it.effect("the winning attempt's derivatives are the only ones left (the crashed attempt's are not orphaned)", () =>
    Effect.gen(function*() {
      yield* TestClock.adjust(Duration.seconds(1_700_000_000))
      const account = freshAccount()
      const file = yield* uploadedFile(account, pngHeader(10, 10))
      const store = yield* ObjectStore
      // Attempt 1 writes its image and thumbnail, then the process dies before recording the outcome.
      const dying = ObjectStore.of({
        ...store,
        put: (key, bytes, type) =>
          store.put(key, bytes, type).pipe(Effect.andThen(key.startsWith("thumbnails/") && key.endsWith("/1.jpg") ? Effect.never : Effect.void))
      })
      const fiber = yield* Effect.forkChild(driveFile(account, file.fileId, file.size).pipe(Effect.provideService(ObjectStore, dying)))
      for (let i = 0; i < 1000 && Option.isNone(yield* store.head(thumbnailKey(account, file.fileId, 1))); i++) yield* Effect.yieldNow
      yield* Fiber.interrupt(fiber)
      // After the lease, the sweeper retries and attempt 2 wins.
      yield* TestClock.adjust(Duration.seconds(defaultMediaConfig.leaseSeconds + 1))
      yield* sweepDue()
      const final = yield* FileRepository.use((repo) => repo.get(account, file.fileId)).pipe(Effect.map(Option.getOrThrow))
      assert.strictEqual(final.status, "ready")
      assert.strictEqual(final.attempts, 2)
      const present = yield* Effect.forEach(allObjectKeys(account, file.fileId), (k) => Effect.map(store.head(k), Option.map(() => k)))
      assert.deepStrictEqual(
        present.flatMap(Option.toArray).sort(),
        [imageKey(account, file.fileId, 2), thumbnailKey(account, file.fileId, 2)].sort()
      )
    }).pipe(Effect.provide(layerMemory())))
})

