import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type { AccountId } from "../src/Ids.ts"
import { layerMemory } from "../src/memory/layerMemory.ts"
import { ObjectStore } from "../src/ports/ObjectStore.ts"
import { getFile } from "../src/usecases/GetFile.ts"
import { handleObjectCreated } from "../src/usecases/ProcessUpload.ts"
import { requestUpload } from "../src/usecases/RequestUpload.ts"
import { searchFiles } from "../src/usecases/SearchFiles.ts"

const account = "10020" as AccountId
const png = (w: number, h: number) => {
  const b = new Uint8Array(32)
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  const v = new DataView(b.buffer)
  v.setUint32(16, w)
  v.setUint32(20, h)
  return b
}

describe("smoke", () => {
  it.effect("upload to ready", () =>
    Effect.gen(function*() {
      const ticket = yield* requestUpload(account, { contentType: "image/png", entityType: "shipment_item", entityId: "S1|SKU|DAMAGED|d1" })
      const store = yield* ObjectStore
      yield* store.put(ticket.fields.key!, png(5000, 2500), "image/png")
      const result = yield* handleObjectCreated(ticket.fields.key!, 32)
      assert.strictEqual(result, "ready")
      const view = yield* getFile(account, ticket.file_id)
      assert.strictEqual(view.width, 4096)
      assert.strictEqual(view.height, 2048)
      const found = yield* searchFiles(account, { entityType: "shipment_item", entityId: "S1" })
      assert.strictEqual(found.files.length, 1)
    }).pipe(Effect.provide(layerMemory())))
})
