/**
 * Hardening: a short, bounded load run against the embedded server in this
 * process on 127.0.0.1 — autocannon reads (GET of a ready file, search) while
 * concurrent uploads go through upload-url, storage POST and processing.
 * Figures go to stdout only (speed claims live in bench/, docs/benchmarks.md);
 * the assertions are about correctness under load: no 5xx, every upload
 * `ready`, and found by search exactly once.
 */
import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import { describeLoad, runLoad } from "../../bench/http/loadRun.ts"
import { EmbeddedServer, layerEphemeral, token } from "./EmbeddedServer.ts"
import { makeJpeg } from "./testImage.ts"
import { type Client, makeTally, mapLimit, searchAll, serverErrors, upload, waitFinal } from "./UploadClient.ts"

const uploads = 40
const readSeconds = 4
const readConnections = 10
const shipment = "LOADTEST"

describe("embedded server under load", () => {
  // Real clock: the server and its sweeper run on wall time, as in production.
  layer(layerEphemeral, { excludeTestServices: true, timeout: 120_000 })((it) => {
    it.effect("reads and concurrent uploads: no 5xx, every upload ready and found by search exactly once", () =>
      Effect.gen(function*() {
        const server = yield* EmbeddedServer
        const client: Client = { base: server.url, token, tally: makeTally() }
        const image = yield* Effect.promise(() => makeJpeg(1200, 900))
        const deadline = Date.now() + 150_000

        // A ready file to read while the uploads run; it lives in another shipment so the search below counts only the load's files.
        const seeded = yield* Effect.promise(() => upload(client, "SEED|SKU-0|DAMAGED|D-0", image))
        assert.strictEqual((yield* Effect.promise(() => waitFinal(client, seeded, deadline))).status, "ready")
        const headers = { authorization: `Bearer ${token}` }

        const started = performance.now()
        const [reads, searches, files] = yield* Effect.all([
          Effect.promise(() => runLoad({ url: `${server.url}/v1/media/${seeded}`, headers, connections: readConnections, duration: readSeconds })),
          Effect.promise(() =>
            runLoad({ url: `${server.url}/v1/media/search?entity_type=shipment_item&entity_id=SEED`, headers, connections: 2, duration: readSeconds })
          ),
          Effect.promise(() =>
            mapLimit(Array.from({ length: uploads }, (_, i) => i), uploads, async (i) => {
              const fileId = await upload(client, `${shipment}|SKU-${i % 7}|DAMAGED|D-${i}`, image)
              return waitFinal(client, fileId, deadline, 100)
            })
          )
        ], { concurrency: "unbounded" })
        const completion = (performance.now() - started) / 1000

        console.log(describeLoad(`GET /v1/media/{id}, ${readConnections} conns`, reads))
        console.log(describeLoad("GET /v1/media/search, 2 conns", searches))
        console.log(`${uploads} concurrent uploads (1200x900 JPEG) all final after ${completion.toFixed(1)} s; statuses ${JSON.stringify([...client.tally.byStatus])}`)

        for (const figures of [reads, searches]) {
          assert.isAbove(figures.total, 0)
          assert.strictEqual(figures.serverErrors, 0)
          assert.strictEqual(figures.non2xx, 0)
          assert.strictEqual(figures.errors, 0)
        }
        assert.strictEqual(serverErrors(client.tally), 0)
        assert.deepStrictEqual(files.map((f) => f.status), Array.from({ length: uploads }, () => "ready"))

        const found = yield* Effect.promise(() => searchAll(client, shipment))
        const ids = files.map((f) => f.file_id).sort()
        assert.deepStrictEqual(found.map((f) => f.file_id).sort(), ids)
        assert.strictEqual(new Set(found.map((f) => f.file_id)).size, found.length)
        assert.isTrue(found.every((f) => f.status === "ready"))
        assert.strictEqual(serverErrors(client.tally), 0)
      }), { timeout: 180_000 })
  })
})
