/**
 * The real server (`node apps/src/server/main.ts`) as a child process on a
 * loopback port, for tests that crash and restart it. Every child started here
 * is remembered so `killAll` (in afterAll) can reap it whatever happened.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { createServer } from "node:net"
import { fileURLToPath } from "node:url"
import { Duration, Effect, Schedule } from "effect"

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url))
const children = new Set<ChildProcess>()

/** A port that was free a moment ago (the OS picks it; we close and hand it on). */
export const freePort = Effect.callback<number>((resume) => {
  const server = createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

export interface ChildServer {
  readonly url: string
  readonly process: ChildProcess
  /** Everything the child wrote so far (for failure messages). */
  readonly output: () => string
}

/** Starts the server with `env` and waits (bounded) until /healthz answers. */
export const startServer = (port: number, env: Readonly<Record<string, string>>) =>
  Effect.gen(function*() {
    let output = ""
    const child = spawn(process.execPath, ["apps/src/server/main.ts"], {
      cwd: repoRoot,
      env: { ...process.env, ...env, PORT: String(port) },
      stdio: ["ignore", "pipe", "pipe"]
    })
    children.add(child)
    child.once("exit", () => children.delete(child))
    child.stdout?.on("data", (chunk) => { output += String(chunk) })
    child.stderr?.on("data", (chunk) => { output += String(chunk) })
    const url = `http://127.0.0.1:${port}`
    yield* Effect.tryPromise(() => fetch(`${url}/healthz`)).pipe(
      Effect.flatMap((r) => r.status === 200 ? Effect.void : Effect.fail(new Error(`healthz ${r.status}`))),
      Effect.retry({ schedule: Schedule.spaced(Duration.millis(100)), times: 300 }),
      Effect.mapError(() => new Error(`server did not start:\n${output}`)),
      Effect.orDie
    )
    const server: ChildServer = { url, process: child, output: () => output }
    return server
  })

/** SIGKILL: no finalizer, no shutdown hook, exactly like a crash. Resolves when the child is gone. */
export const crash = (server: ChildServer) =>
  Effect.callback<void>((resume) => {
    if (server.process.exitCode !== null || server.process.signalCode !== null) return resume(Effect.void)
    server.process.once("exit", () => resume(Effect.void))
    server.process.kill("SIGKILL")
  })

/** Kills every child still running (afterAll). */
export const killAll = () => {
  for (const child of children) child.kill("SIGKILL")
}

/** What a test reads of a reply: status, headers and the body as text. */
export interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly text: string
}

/** One request (30 s bound, so a hung server fails the test instead of stalling it). */
export const request = (url: string, init: RequestInit = {}) =>
  Effect.promise(async (): Promise<Reply> => {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) })
    return { status: response.status, headers: response.headers, text: await response.text() }
  })

/** A request to the child's API as the bearer `token`. */
export const api = (server: ChildServer, token: string, path: string, init: RequestInit = {}) =>
  request(`${server.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) }
  })
