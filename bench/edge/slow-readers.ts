/**
 * `node bench/edge/slow-readers.ts [readers] [MiB]`: the embedded server's
 * resident memory while `readers` clients (default 100) hold a download of a
 * `MiB`-sized object (default 6) open and never read it. Starts the real
 * server (`apps/src/server/main.ts`) as a child on a loopback port with a
 * temp data dir, makes one ready file, replaces its image with `MiB` of bytes,
 * opens the stalled downloads and samples the child's VmRSS (/proc, Linux).
 * Figures and their history: docs/benchmarks.md, "Slow readers of /cdn".
 */
import { spawn } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs"
import { connect, createServer, type Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"

const readers = Number(process.argv[2] ?? 100)
const mib = Number(process.argv[3] ?? 6)
const root = new URL("../../", import.meta.url).pathname
const token = "bench-edge-token-0123456789"

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0))
    })
  })

const rss = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? Number.NaN) / 1024

const sockets = (pid: number) =>
  readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith("socket:")
    } catch {
      return false
    }
  }).length

const dir = mkdtempSync(join(tmpdir(), "media-bench-edge-"))
const port = await freePort()
const origin = `http://127.0.0.1:${port}`
writeFileSync(join(dir, "credentials.json"), JSON.stringify({ credentials: [{ account_id: "10020", token, permissions: ["media:read", "media:write"] }] }))
const child = spawn(process.execPath, ["apps/src/server/main.ts"], {
  cwd: root,
  env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", MEDIA_PUBLIC_URL: origin, MEDIA_DATA_DIR: join(dir, "data"), MEDIA_AUTH_FILE: join(dir, "credentials.json"), MEDIA_HTTP_LOG: "false" },
  stdio: ["ignore", "ignore", "inherit"]
})
const open: Array<Socket> = []
try {
  for (let i = 0; ; i++) {
    if (await fetch(`${origin}/healthz`).then((r) => r.ok, () => false)) break
    if (i > 300) throw new Error("server did not start")
    await sleep(100)
  }
  const auth = { authorization: `Bearer ${token}` }
  const ticket = await fetch(`${origin}/v1/media/upload-url`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ content_type: "image/jpeg", entity_type: "shipment_item", entity_id: "BENCH|SKU|DAMAGED|D1" })
  }).then((r) => r.json() as Promise<{ file_id: string; upload_url: string; fields: Record<string, string> }>)
  const form = new FormData()
  for (const [name, value] of Object.entries(ticket.fields)) form.append(name, value)
  const photo = readFileSync(join(root, "adapters/test/fixtures/images/orientation/Landscape_1.jpg"))
  form.append("file", new Blob([photo], { type: "image/jpeg" }), "photo.jpg")
  await fetch(ticket.upload_url, { method: "POST", body: form })
  let url = ""
  for (let i = 0; url === "" && i < 300; i++) {
    const file = await fetch(`${origin}/v1/media/${ticket.file_id}`, { headers: auth }).then((r) => r.json() as Promise<{ status: string; download_url?: string }>)
    if (file.status === "ready") url = file.download_url!
    else await sleep(200)
  }
  const target = new URL(url)
  writeFileSync(join(dir, "data", "objects", ...target.pathname.replace(/^\/cdn\//, "").split("/")), Buffer.alloc(mib * 2 ** 20, 0xa5))
  await fetch(url).then((r) => r.arrayBuffer())
  const before = rss(child.pid!)
  await Promise.all(Array.from({ length: readers }, () =>
    new Promise<void>((resolve) => {
      const socket = connect({ host: "127.0.0.1", port })
      open.push(socket)
      socket.on("error", () => resolve())
      socket.once("connect", () => socket.write(`GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n\r\n`))
      socket.once("data", () => {
        socket.pause()
        resolve()
      })
    })))
  let peak = 0
  let healthz = 0
  for (let i = 0; i < 20; i++) {
    peak = Math.max(peak, rss(child.pid!))
    if (await fetch(`${origin}/healthz`).then((r) => r.ok, () => false)) healthz++
    await sleep(100)
  }
  console.log(
    `${readers} stalled readers of ${mib} MiB: RSS ${before.toFixed(1)} MiB -> peak ${peak.toFixed(1)} MiB ` +
      `(+${(peak - before).toFixed(1)} MiB; ${readers} x ${mib} MiB = ${readers * mib} MiB); ` +
      `server sockets ${sockets(child.pid!)}; /healthz answered ${healthz}/20`
  )
} finally {
  for (const socket of open) socket.destroy()
  child.kill("SIGKILL")
  rmSync(dir, { recursive: true, force: true })
}
