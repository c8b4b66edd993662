import { assert } from "@effect/vitest"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { E2eServer, embeddedServer, layerEmbedded, workDir } from "../support/servers.ts"
import { fetchUrl, fixture, requestUpload, settled, upload } from "./client.ts"
import { endToEnd } from "./scenario/index.ts"

/** One request to `server`, outside the suite's own server. */
const getFrom = (url: string, path: string) =>
  fetchUrl(`${url}${path}`, { headers: { authorization: "Bearer token-writer-a-0123456789" } })

endToEnd("end to end (embedded)", "embedded", layerEmbedded, (it) => {
  it.effect("the upload endpoint answers browsers' CORS preflights", () =>
    Effect.gen(function*() {
      const ticket = yield* requestUpload("EMB1|SKU-1|DAMAGED|D1", "image/png")
      const preflight = yield* fetchUrl(ticket.upload_url, {
        method: "OPTIONS",
        headers: { origin: "https://pos.example", "access-control-request-method": "POST" }
      })
      assert.isBelow(preflight.status, 300, preflight.text)
      assert.isNotNull(preflight.headers.get("access-control-allow-origin"))
    }))

  it.effect("a restart on the same data dir keeps files, objects and keys", () =>
    Effect.gen(function*() {
      const dir = yield* workDir
      const first = yield* Effect.scoped(Effect.gen(function*() {
        const server = yield* embeddedServer(dir)
        const fileId = yield* upload("EMB2|SKU-1|DAMAGED|D1", fixture("tricky/with-alpha.png"), "image/png").pipe(
          Effect.provideService(E2eServer, server)
        )
        const file = yield* settled(fileId).pipe(Effect.provideService(E2eServer, server))
        assert.strictEqual(file.status, "ready", JSON.stringify(file))
        return { file, keys: readFileSync(join(dir, "data", "keys.json"), "utf8") }
      }))
      const server = yield* embeddedServer(dir)
      const again = yield* getFrom(server.url, `/v1/media/${first.file.file_id}`)
      assert.strictEqual(again.status, 200, again.text)
      assert.strictEqual(again.json.status, "ready")
      assert.strictEqual(again.json.updated_at, first.file.updated_at)
      const keyPair = (url: string) => new URL(url).searchParams.get("Key-Pair-Id")
      assert.strictEqual(keyPair(again.json.download_url), keyPair(first.file.download_url))
      assert.strictEqual(readFileSync(join(dir, "data", "keys.json"), "utf8"), first.keys)
      const image = yield* fetchUrl(again.json.download_url)
      assert.strictEqual(image.status, 200)
      assert.strictEqual(image.bytes.length, first.file.file_size)
    }))
})
