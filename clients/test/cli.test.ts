/**
 * The `media` CLI as a user runs it: the installed bin (node_modules/.bin/media)
 * spawned as a process against the real embedded server on loopback.
 */
import { assert, describe, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { E2eServer, layerEmbedded, maxUploadBytes } from "../../test/support/servers.ts"
import { renderTable } from "../src/cli/FileCommands.ts"
import { renderBars } from "../src/cli/Progress.ts"
import { MediaClient } from "../src/index.ts"
import { describeImage, makeJpeg } from "./support/images.ts"

const repoRoot = fileURLToPath(new URL("../../", import.meta.url))
const bin = join(repoRoot, "node_modules", ".bin", "media")

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `media …args` in `cwd` with only `env` (plus PATH, so `#!/usr/bin/env node` finds the project's Node 22). */
const media = (args: ReadonlyArray<string>, options: { cwd: string; env?: Record<string, string> }) =>
  Effect.callback<Run>((resume) => {
    const child = spawn(bin, args, {
      cwd: options.cwd,
      env: { PATH: `${join(repoRoot, "node_modules", ".bin")}:${process.env.PATH ?? ""}`, HOME: options.cwd, ...options.env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => { stdout += String(chunk) })
    child.stderr.on("data", (chunk) => { stderr += String(chunk) })
    child.on("close", (code) => resume(Effect.succeed({ code, stdout, stderr })))
    return Effect.sync(() => child.kill("SIGKILL"))
  })

const lines = (text: string) => text.split("\n").filter((line) => line.trim() !== "")

const assertOneLineError = (run: Run, pattern: RegExp) => {
  assert.strictEqual(lines(run.stderr).length, 1, run.stderr)
  assert.match(run.stderr.trim(), pattern)
  assert.notMatch(run.stderr, /\n\s+at /, "no stack trace")
}

const scratch = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "media-cli-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

const basic = "10020-140:pw-a-0123456789"

layer(layerEmbedded, { timeout: 180_000, excludeTestServices: true })("media CLI (spawned, embedded server)", (it) => {
  it.effect("--help on every command, exit 0", () =>
    Effect.gen(function*() {
      const cwd = yield* scratch
      for (const command of [[], ["upload"], ["get"], ["search"], ["download"], ["delete"]]) {
        const run = yield* media([...command, "--help"], { cwd })
        assert.strictEqual(run.code, 0, run.stderr)
        assert.include(run.stdout, "USAGE")
        assert.include(run.stdout, `media ${command.join(" ")}`.trim())
      }
      const root = yield* media(["--help"], { cwd })
      assert.include(root.stdout, "Exit codes: 0 ok, 1 failure, 2 usage error")
    }))

  it.effect("upload a folder, resume after a failure, search, download twice, get, delete", () =>
    Effect.gen(function*() {
      const server = yield* E2eServer
      const cwd = yield* scratch
      const env = { MEDIA_URL: server.url, MEDIA_AUTH: basic }
      const photos = join(cwd, "photos")
      mkdirSync(photos)
      for (let i = 0; i < 3; i++) writeFileSync(join(photos, `photo-${i}.jpg`), yield* Effect.promise(() => makeJpeg(640, 480, 30 + i)))
      // One file over the server's upload limit: that upload fails, the others go through.
      writeFileSync(join(photos, "too-big.jpg"), new Uint8Array(maxUploadBytes + 1).fill(0xff))
      const entity = "CLI1|SKU-7|DAMAGED|D1"

      const first = yield* media(["upload", "photos", "--entity", entity, "--concurrency", "2"], { cwd, env })
      assert.strictEqual(first.code, 1, first.stderr)
      assert.strictEqual(lines(first.stdout).filter((l) => l.startsWith("uploaded")).length, 3, first.stdout)
      assert.strictEqual(lines(first.stdout).filter((l) => l.startsWith("failed")).length, 1, first.stdout)
      assert.match(first.stdout, /failed\s+\S*too-big\.jpg\s+INVALID_REQUEST/)
      assertOneLineError(first, /^media: 1 of 4 uploads failed; run the same command again/)
      const state = JSON.parse(readFileSync(join(cwd, ".local", "state", "media", "upload-state.json"), "utf8"))
      assert.strictEqual(Object.keys(state.uploaded).length, 3)

      // The user fixes the bad file and runs the same command: only it is uploaded.
      rmSync(join(photos, "too-big.jpg"))
      writeFileSync(join(photos, "too-big.jpg"), yield* Effect.promise(() => makeJpeg(320, 240, 40)))
      const again = yield* media(["upload", "photos", "--entity", entity, "--wait"], { cwd, env })
      assert.strictEqual(again.code, 0, again.stderr)
      assert.strictEqual(lines(again.stdout).filter((l) => l.startsWith("skipped")).length, 3, again.stdout)
      assert.deepStrictEqual(lines(again.stdout).filter((l) => l.startsWith("uploaded")).map((l) => / ready (\S+)$/.exec(l)?.[1]), ["320x240"], again.stdout)
      assert.strictEqual(again.stderr, "", "no progress bars when stderr is not a terminal")

      const sdk = new MediaClient({ baseUrl: server.url, auth: { apiId: "10020-140", password: "pw-a-0123456789" } })
      const ids = Object.values(JSON.parse(readFileSync(join(cwd, ".local", "state", "media", "upload-state.json"), "utf8")).uploaded as Record<string, { file_id: string }>).map((e) => e.file_id)
      assert.strictEqual(ids.length, 4)
      for (const id of ids) yield* Effect.promise(() => sdk.waitUntilReady(id))

      // Credentials from a profile file this time.
      const profile = join(cwd, "profile.json")
      writeFileSync(profile, JSON.stringify({ url: server.url, auth: basic }))
      const table = yield* media(["search", "CLI1", "--profile", profile], { cwd })
      assert.strictEqual(table.code, 0, table.stderr)
      const rows = lines(table.stdout)
      assert.match(rows[0]!, /^FILE_ID\s+STATUS\s+SIZE\s+WxH\s+CREATED\s+ENTITY_ID$/)
      assert.strictEqual(rows.length, 5)
      for (const id of ids) assert.include(table.stdout, id)
      assert.match(rows[1]!, /ready\s+.*640x480|ready\s+.*320x240/)

      const json = yield* media(["search", "CLI1|SKU-7", "--json"], { cwd, env: { MEDIA_PROFILE: profile } })
      assert.strictEqual(json.code, 0, json.stderr)
      const files = JSON.parse(json.stdout) as Array<{ file_id: string; status: string }>
      assert.sameMembers(files.map((f) => f.file_id), ids)

      const out = join(cwd, "out")
      const download = yield* media(["download", "CLI1", "--out", out, "--thumbnails"], { cwd, env })
      assert.strictEqual(download.code, 0, download.stderr)
      assert.sameMembers(readdirSync(out).filter((n) => n.endsWith(".jpg")), ids.map((id) => `${id}.jpg`))
      for (const id of ids) {
        const thumb = yield* Effect.promise(() => describeImage(readFileSync(join(out, "thumbnails", `${id}.jpg`))))
        assert.deepStrictEqual(thumb, { width: 256, height: 256, format: "jpeg" })
      }
      assert.include(download.stdout, "8 downloaded, 0 already there")
      const downloadAgain = yield* media(["download", "CLI1", "--out", out, "--thumbnails"], { cwd, env })
      assert.strictEqual(downloadAgain.code, 0, downloadAgain.stderr)
      assert.include(downloadAgain.stdout, "0 downloaded, 8 already there")

      const get = yield* media(["get", ids[0]!, "--url", server.url, "--auth", basic], { cwd })
      assert.strictEqual(get.code, 0, get.stderr)
      assert.strictEqual(JSON.parse(get.stdout).status, "ready")

      const del = yield* media(["delete", ids[0]!], { cwd, env })
      assert.strictEqual(del.code, 0, del.stderr)
      const gone = yield* media(["get", ids[0]!], { cwd, env })
      assert.strictEqual(gone.code, 4)
      assertOneLineError(gone, /^media: FILE_NOT_FOUND: .*\(request [0-9a-f-]{36}\)$/)
      assert.strictEqual(gone.stdout, "")
    }))

  it.effect("bad input: one line on stderr, exit 2; wrong credentials: exit 3", () =>
    Effect.gen(function*() {
      const server = yield* E2eServer
      const cwd = yield* scratch
      const env = { MEDIA_URL: server.url, MEDIA_AUTH: basic }
      writeFileSync(join(cwd, "a.jpg"), yield* Effect.promise(() => makeJpeg(50, 50, 1)))

      const badKey = yield* media(["upload", "a.jpg", "--entity", "CLI2|SKU-1"], { cwd, env })
      assert.strictEqual(badKey.code, 2)
      assertOneLineError(badKey, /^media: bad entity key 'CLI2\|SKU-1': .*4 parts/)
      const emptyPart = yield* media(["search", "CLI2|"], { cwd, env })
      assert.strictEqual(emptyPart.code, 2)
      assertOneLineError(emptyPart, /^media: bad entity key/)
      const unknownFlag = yield* media(["search", "CLI2", "--colour"], { cwd, env })
      assert.strictEqual(unknownFlag.code, 2)
      assertOneLineError(unknownFlag, /Unrecognized flag: --colour/)
      const missingEntity = yield* media(["upload", "a.jpg"], { cwd, env })
      assert.strictEqual(missingEntity.code, 2)
      assertOneLineError(missingEntity, /--entity/)
      const noCredentials = yield* media(["search", "CLI2"], { cwd })
      assert.strictEqual(noCredentials.code, 2)
      assertOneLineError(noCredentials, /^media: no API URL/)
      const wrong = yield* media(["search", "CLI2"], { cwd, env: { MEDIA_URL: server.url, MEDIA_AUTH: "Bearer not-a-real-token-0000" } })
      assert.strictEqual(wrong.code, 3)
      assertOneLineError(wrong, /^media: ACCESS_DENIED/)
      assert.isFalse(existsSync(join(cwd, ".local")), "nothing recorded for a refused batch")
    }))
})

describe("media CLI output", () => {
  it("renders a bar per file and an overall bar that adds them up", () => {
    const bars = renderBars([
      { name: "a.jpg", total: 1000, loaded: 500, state: "uploading" },
      { name: "b.jpg", total: 3000, loaded: 3000, state: "done" }
    ], 100)
    assert.strictEqual(bars.length, 3)
    assert.match(bars[0]!, /^a\.jpg\s+\[#+-+\]\s+50% /)
    assert.match(bars[1]!, /100% done$/)
    assert.match(bars[2]!, /^overall\s+\[#+-*\]\s+87% 1\/2 files, 3\.5 KB of 4\.0 KB$/)
  })

  it("renders the search table with aligned columns", () => {
    const table = renderTable([
      { file_id: "f1", content_type: "image/jpeg", file_size: 1234, entity_type: "shipment_item", entity_id: "S|K|R|D", status: "ready", created_at: 0, updated_at: 0, width: 10, height: 20 },
      { file_id: "f2", content_type: "image/png", file_size: 0, entity_type: "shipment_item", entity_id: "S|K|R|E", status: "failed", failure_reason: "corrupt_image", created_at: 60, updated_at: 60 }
    ]).split("\n")
    assert.deepStrictEqual(table, [
      "FILE_ID  STATUS                SIZE    WxH    CREATED               ENTITY_ID",
      "f1       ready                 1.2 KB  10x20  1970-01-01T00:00:00Z  S|K|R|D",
      "f2       failed:corrupt_image  0 B     -      1970-01-01T00:01:00Z  S|K|R|E"
    ])
  })
})
