/**
 * `npm start` as an operator runs it: the real entry file in its own process,
 * embedded mode by default, first-start credential printed once and usable.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort } from "../hardening/support/ChildServer.ts"
import { fetchUrl } from "./client.ts"

const repoRoot = join(import.meta.dirname, "../..")
const main = join(repoRoot, "apps/src/server/main.ts")


interface Started {
  readonly child: ChildProcess
  /** Everything written to stdout so far. */
  readonly output: () => string
}

const start = (env: Record<string, string>) =>
  Effect.acquireRelease(
    Effect.sync((): Started => {
      const child = spawn(process.execPath, [main], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] })
      let output = ""
      child.stdout?.on("data", (chunk: Buffer) => { output += chunk.toString() })
      child.stderr?.on("data", (chunk: Buffer) => { output += chunk.toString() })
      return { child, output: () => output }
    }),
    ({ child }) => Effect.sync(() => child.exitCode === null && child.kill("SIGKILL"))
  )

/** Polls `url` until it answers 200 (bounded). */
const until200 = (url: string, started: Started, seconds = 45) =>
  Effect.gen(function*() {
    const deadline = performance.now() + seconds * 1000
    while (performance.now() < deadline) {
      if (started.child.exitCode !== null) return assert.fail(`server exited:\n${started.output()}`)
      const ok = yield* Effect.promise(() => fetch(url, { signal: AbortSignal.timeout(2000) }).then((r) => r.status === 200, () => false))
      if (ok) return
      yield* Effect.sleep("200 millis")
    }
    return assert.fail(`no answer from ${url} within ${seconds} s:\n${started.output()}`)
  })

const exited = (child: ChildProcess) =>
  Effect.promise(() =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) resolve(child.exitCode)
      else child.once("exit", (code) => resolve(code))
    })
  ).pipe(Effect.timeout("15 seconds"))

describe("npm start (apps/src/server/main.ts)", () => {
  it.live("serves embedded mode with a first-start credential printed once, and stops on SIGTERM", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.acquireRelease(
        Effect.sync(() => mkdtempSync(join(tmpdir(), "media-main-"))),
        (d) => Effect.sync(() => rmSync(d, { recursive: true, force: true }))
      )
      const port = yield* freePort
      const origin = `http://localhost:${port}`
      const started = yield* start({ PORT: String(port), MEDIA_DATA_DIR: join(dir, "data"), MEDIA_HTTP_LOG: "false" })
      yield* until200(`${origin}/healthz`, started)
      yield* until200(`${origin}/readyz`, started)
      // The start-up log tells a person where to go next.
      for (const link of [`${origin}/app/`, `${origin}/docs`]) assert.include(started.output(), link)

      const apiId = /api_id:\s+(\S+)/.exec(started.output())?.[1]
      const password = /password:\s+(\S+)/.exec(started.output())?.[1]
      assert.isString(apiId, started.output())
      assert.isString(password, started.output())
      const credentials = join(dir, "data", "credentials.json")
      assert.strictEqual(statSync(credentials).mode & 0o777, 0o600)
      assert.notInclude(readFileSync(credentials, "utf8"), password ?? "", "only a hash is stored")

      const authorization = `Basic ${Buffer.from(`${apiId}:${password}`).toString("base64")}`
      const ticket = yield* fetchUrl(`${origin}/v1/media/upload-url`, {
        method: "POST",
        headers: { authorization, "content-type": "application/json" },
        body: JSON.stringify({ content_type: "image/png", entity_type: "shipment_item", entity_id: "M1|SKU|R|D1" })
      })
      assert.strictEqual(ticket.status, 200, ticket.text)
      assert.isTrue(ticket.json.upload_url.startsWith(`${origin}/`), ticket.json.upload_url)
      const wrong = yield* fetchUrl(`${origin}/v1/media/${ticket.json.file_id}`, {
        headers: { authorization: `Basic ${Buffer.from(`${apiId}:not-it`).toString("base64")}` }
      })
      assert.strictEqual(wrong.status, 401)
      // The secret is shown once, on the terminal, and never stored or logged in clear.
      assert.strictEqual(started.output().split(password ?? "").length - 1, 2, "printed in two lines only")

      started.child.kill("SIGTERM")
      // A signal interrupts the server, in-flight work finishes, and the process exits cleanly by itself.
      const code = yield* exited(started.child)
      assert.strictEqual(code, 0, started.output())
    }), 60_000)

  it.live("npm start stops when npm itself gets SIGTERM (the signal reaches the server, no orphan keeps the data dir)", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.acquireRelease(
        Effect.sync(() => mkdtempSync(join(tmpdir(), "media-npm-start-"))),
        (d) => Effect.sync(() => rmSync(d, { recursive: true, force: true }))
      )
      const port = yield* freePort
      const origin = `http://127.0.0.1:${port}`
      const dataDir = join(dir, "data")
      // Its own process group, so the release can reap whatever npm started, whatever happened.
      const npm = yield* Effect.acquireRelease(
        Effect.sync(() =>
          spawn("npm", ["start"], {
            cwd: repoRoot,
            detached: true,
            env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", MEDIA_DATA_DIR: dataDir, MEDIA_HTTP_LOG: "false" },
            stdio: ["ignore", "pipe", "pipe"]
          })
        ),
        (child) => Effect.sync(() => { try { process.kill(-(child.pid ?? 0), "SIGKILL") } catch { /* already gone */ } })
      )
      let output = ""
      npm.stdout?.on("data", (chunk: Buffer) => { output += chunk.toString() })
      npm.stderr?.on("data", (chunk: Buffer) => { output += chunk.toString() })
      const started: Started = { child: npm, output: () => output }
      yield* until200(`${origin}/healthz`, started)
      assert.isTrue(existsSync(join(dataDir, ".server-running")), output)

      npm.kill("SIGTERM")
      yield* exited(npm)
      // The server itself stops: its port closes and it removes its run marker (a clean stop).
      let answering = true
      for (let i = 0; i < 75 && answering; i++) {
        answering = yield* Effect.promise(() => fetch(`${origin}/healthz`).then(() => true, () => false))
        if (answering) yield* Effect.sleep("200 millis")
      }
      assert.isFalse(answering, `the server still answers after npm got SIGTERM:\n${output}`)
      assert.isFalse(existsSync(join(dataDir, ".server-running")), `no clean stop:\n${output}`)
    }), 90_000)
})
