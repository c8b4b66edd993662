/**
 * The load test (test/load/load.test.ts) with bigger numbers, for
 * docs/benchmarks.md: the embedded server in a child process; reads alone,
 * then the same reads while concurrent uploads are processed. Checks the same
 * things the test does (no 5xx, all ready, each found by search once).
 *
 * Env: BENCH_READ_SECONDS (15), BENCH_CONNECTIONS (10), BENCH_UPLOADS (100),
 * BENCH_ROUNDS (2). Run: `node bench/load/load.ts`.
 */
import { join } from "node:path"
import type { EmbeddedServerInfo } from "../../test/load/EmbeddedServer.ts"
import { token } from "../../test/load/EmbeddedServer.ts"
import { makeJpeg } from "../../test/load/testImage.ts"
import { type Client, makeTally, mapLimit, searchAll, serverErrors, upload, waitFinal } from "../../test/load/UploadClient.ts"
import { startChild } from "../http/child.ts"
import { describeLoad, runLoad } from "../http/loadRun.ts"

const readSeconds = Number(process.env.BENCH_READ_SECONDS ?? 15)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10)
const uploads = Number(process.env.BENCH_UPLOADS ?? 100)
const rounds = Number(process.env.BENCH_ROUNDS ?? 2)

const check = (condition: boolean, message: string) => {
  if (!condition) throw new Error(message)
}

const round = async (image: Buffer, n: number) => {
  const server = await startChild<EmbeddedServerInfo>(join(import.meta.dirname, "../e2e/embedded-server.ts"))
  try {
    const client: Client = { base: server.message.url, token, tally: makeTally() }
    const deadline = Date.now() + 600_000
    const seeded = await upload(client, "SEED|SKU-0|DAMAGED|D-0", image)
    check((await waitFinal(client, seeded, deadline)).status === "ready", "seed file not ready")
    const read = { url: `${client.base}/v1/media/${seeded}`, headers: { authorization: `Bearer ${token}` }, connections }

    await runLoad({ ...read, duration: 3 }) // warm-up
    const alone = await runLoad({ ...read, duration: readSeconds })
    const started = performance.now()
    const shipment = `LOAD${n}`
    const [during, completions] = await Promise.all([
      runLoad({ ...read, duration: readSeconds }),
      mapLimit(Array.from({ length: uploads }, (_, i) => i), uploads, async (i) => {
        const fileId = await upload(client, `${shipment}|SKU-${i % 7}|DAMAGED|D-${i}`, image)
        const file = await waitFinal(client, fileId, deadline, 100)
        check(file.status === "ready", `${fileId} ended ${file.status}`)
        return { fileId, seconds: (performance.now() - started) / 1000 }
      })
    ])
    const found = await searchAll(client, shipment)
    const ids = new Set(completions.map((c) => c.fileId))
    check(found.length === uploads && new Set(found.map((f) => f.file_id)).size === uploads && found.every((f) => ids.has(f.file_id)),
      `search found ${found.length} files for ${uploads} uploads`)
    check(serverErrors(client.tally) === 0 && alone.serverErrors === 0 && during.serverErrors === 0, "a 5xx response")

    const last = Math.max(...completions.map((c) => c.seconds))
    const median = [...completions.map((c) => c.seconds)].sort((a, b) => a - b)[Math.floor(uploads / 2)]!
    console.log(`round ${n}`)
    console.log(`  ${describeLoad("reads alone", alone)}`)
    console.log(`  ${describeLoad(`reads during ${uploads} uploads`, during)}`)
    console.log(`  ${uploads} concurrent uploads: half ready after ${median.toFixed(1)} s, all after ${last.toFixed(1)} s; search found each once`)
  } finally {
    await server.stop()
  }
}

const main = async () => {
  const image = await makeJpeg(1200, 900)
  console.log(`embedded server (child process); GET /v1/media/{id} of a ready file with ${connections} connections for ${readSeconds} s; uploads of a 1200x900 JPEG (${image.length} bytes)\n`)
  for (let n = 1; n <= rounds; n++) await round(image, n)
}

await main()
