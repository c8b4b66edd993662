/**
 * 100 uploads to `ready`, end to end (upload-url + multipart POST + polling,
 * against the embedded server in a child process), versus the pure processing
 * time of the same 100 images: SharpImageProcessor (defaults, as the server
 * builds it) called in this process with concurrency 2, the embedded
 * Dispatcher's processing concurrency. Rounds alternate the two.
 *
 * Env: BENCH_UPLOADS (100), BENCH_CLIENT_CONCURRENCY (16 uploads in flight), BENCH_POLL_MS (500),
 * BENCH_ROUNDS (2), BENCH_WIDTH x BENCH_HEIGHT (2000 x 1500), BENCH_PROFILE=1 (the
 * server runs under --cpu-prof; its top frames are printed after each round).
 * Run: `node bench/e2e/uploads.ts`.
 */
import { mkdtempSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import * as SharpImageProcessor from "@media-object-storage/adapters/sharp/SharpImageProcessor"
import { defaultMediaConfig } from "@media-object-storage/core/MediaConfig"
import type { EmbeddedServerInfo } from "../../test/load/EmbeddedServer.ts"
import { token } from "../../test/load/EmbeddedServer.ts"
import { makeJpeg } from "../../test/load/testImage.ts"
import { type Client, makeTally, mapLimit, serverErrors, upload, waitFinal } from "../../test/load/UploadClient.ts"
import { startChild } from "../http/child.ts"
import { summarize } from "../http/cpuprofile-top.ts"

const count = Number(process.env.BENCH_UPLOADS ?? 100)
const clientConcurrency = Number(process.env.BENCH_CLIENT_CONCURRENCY ?? 16)
/** How often a client asks for a file's status while waiting for it. */
const pollMs = Number(process.env.BENCH_POLL_MS ?? 500)
const rounds = Number(process.env.BENCH_ROUNDS ?? 2)
const width = Number(process.env.BENCH_WIDTH ?? 2000)
const height = Number(process.env.BENCH_HEIGHT ?? 1500)
/** The embedded Dispatcher's processingConcurrency (apps/src/embedded/EmbeddedLayer.ts). */
const serverProcessingConcurrency = 2

const seconds = (ms: number) => (ms / 1000).toFixed(2)
const percentile = (sorted: ReadonlyArray<number>, p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0

const processingOnly = (image: Buffer) =>
  Effect.runPromise(Effect.gen(function*() {
    const processor = yield* SharpImageProcessor.make()
    const started = performance.now()
    yield* Effect.forEach(
      Array.from({ length: count }, () => image),
      (bytes) => processor.process(bytes, { maxPixels: defaultMediaConfig.maxPixels }),
      { concurrency: serverProcessingConcurrency, discard: true }
    )
    return performance.now() - started
  }))

const profileDir = process.env.BENCH_PROFILE === "1" ? mkdtempSync(join(tmpdir(), "bench-e2e-profile-")) : undefined

const endToEnd = async (image: Buffer) => {
  const execArgv = profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${profileDir}`]
  const server = await startChild<EmbeddedServerInfo>(join(import.meta.dirname, "embedded-server.ts"), { execArgv })
  try {
    const client: Client = { base: server.message.url, token, tally: makeTally() }
    const started = performance.now()
    const deadline = performance.timeOrigin + started + 600_000
    let lastUploaded = 0
    const latencies = await mapLimit(Array.from({ length: count }, (_, i) => i), clientConcurrency, async (i) => {
      const begun = performance.now()
      const fileId = await upload(client, `E2E|SKU-${i % 10}|DAMAGED|D-${i}`, image)
      lastUploaded = Math.max(lastUploaded, performance.now())
      const file = await waitFinal(client, fileId, deadline, pollMs)
      if (file.status !== "ready") throw new Error(`file ${fileId} ended ${file.status} (${file.failure_reason})`)
      return performance.now() - begun
    })
    const wall = performance.now() - started
    if (serverErrors(client.tally) > 0) throw new Error(`5xx responses: ${[...client.tally.byStatus]}`)
    return { wall, uploadsDone: lastUploaded - started, latencies: [...latencies].sort((a, b) => a - b) }
  } finally {
    await server.stop()
  }
}

const main = async () => {
  const image = await makeJpeg(width, height)
  console.log(`${count} uploads of a ${width}x${height} JPEG (${image.length} bytes); ${clientConcurrency} in flight, each polled every ${pollMs} ms; processing concurrency ${serverProcessingConcurrency}\n`)
  for (let round = 1; round <= rounds; round++) {
    const processing = await processingOnly(image)
    const e2e = await endToEnd(image)
    console.log(`round ${round}`)
    console.log(`  processing only (SharpImageProcessor, concurrency ${serverProcessingConcurrency}): ${seconds(processing)} s`)
    console.log(`  end to end: ${seconds(e2e.wall)} s (all uploads stored after ${seconds(e2e.uploadsDone)} s; per file upload->ready p50 ${seconds(percentile(e2e.latencies, 0.5))} s, p99 ${seconds(percentile(e2e.latencies, 0.99))} s)`)
    console.log(`  end to end / processing: ${(e2e.wall / processing).toFixed(2)}x`)
    if (profileDir !== undefined) {
      for (const file of readdirSync(profileDir)) console.log(summarize(join(profileDir, file), ["getSignedUrl", "driveFrom"]))
    }
  }
}

await main()
