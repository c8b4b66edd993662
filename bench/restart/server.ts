/**
 * One start of `node apps/src/server/main.ts` (what `npm start` runs) from a
 * given checkout: the wall time from spawn to the first `200` of /healthz and of
 * /readyz, the server's CPU time and memory when /readyz first answered, and a
 * way to stop it cleanly (SIGTERM) or kill it (SIGKILL, as `kill -9`).
 */
import { type ChildProcess, spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { createServer } from "node:net"
import { join } from "node:path"
import { cpuSeconds } from "../http/cpuTime.ts"

export interface Started {
  readonly healthzMs: number
  readonly readyzMs: number
  readonly cpuMs: number
  /** Resident set size and its peak (VmHWM), MiB, when /readyz first answered. */
  readonly rssMiB: number
  readonly peakRssMiB: number
  readonly output: () => string
  readonly stop: (how: "clean" | "kill") => Promise<void>
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

const memoryMiB = (pid: number, field: string) =>
  Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024

const until200 = async (url: string, child: ChildProcess, output: () => string, deadline: number) => {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${output()}`)
    if (performance.now() > deadline) throw new Error(`${url} did not answer 200 in time:\n${output()}`)
    const status = await fetch(url).then((r) => r.status, () => 0)
    if (status === 200) return performance.now()
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** Starts the server of the checkout at `root` on `dataDir`, and waits until /readyz answers 200. */
export const startServer = async (root: string, dataDir: string, waitFor: "healthz" | "readyz" = "readyz"): Promise<Started> => {
  const port = await freePort()
  const start = performance.now()
  const child = spawn(process.execPath, [join(root, "apps/src/server/main.ts")], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", MEDIA_DATA_DIR: dataDir, MEDIA_HTTP_LOG: "false" },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let log = ""
  child.stdout!.on("data", (chunk) => { log = (log + chunk).slice(-20_000) })
  child.stderr!.on("data", (chunk) => { log = (log + chunk).slice(-20_000) })
  const output = () => log
  const deadline = start + 120_000
  const healthz = await until200(`http://127.0.0.1:${port}/healthz`, child, output, deadline)
  const cpuAtHealthz = cpuSeconds(child.pid!)
  const readyz = waitFor === "readyz" ? await until200(`http://127.0.0.1:${port}/readyz`, child, output, deadline) : healthz
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  return {
    healthzMs: healthz - start,
    readyzMs: readyz - start,
    cpuMs: (waitFor === "readyz" ? cpuSeconds(child.pid!) : cpuAtHealthz) * 1000,
    rssMiB: memoryMiB(child.pid!, "VmRSS"),
    peakRssMiB: memoryMiB(child.pid!, "VmHWM"),
    output,
    stop: (how) => {
      child.kill(how === "clean" ? "SIGTERM" : "SIGKILL")
      return exited
    }
  }
}
