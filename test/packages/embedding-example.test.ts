/**
 * docs/embedding.md's worked example (examples/embedding/shipment-service.ts) on core's memory
 * ports: a photo requested in process reaches `ready` and the shipment service's reaction fires,
 * once per photo, for a notified upload and for one whose notification was lost (the sweeper).
 */
import { assert, describe, it } from "@effect/vitest"
import type { FileView } from "@media-object-storage/core/FileView"
import type { AccountId } from "@media-object-storage/core/Ids"
import { defaultMediaConfig } from "@media-object-storage/core/MediaConfig"
import { layerMemory } from "@media-object-storage/core/memory/layerMemory"
import { ObjectStore } from "@media-object-storage/core/ports/ObjectStore"
import * as Arbitraries from "@media-object-storage/testing/arbitraries"
import { Duration, Effect, Layer, Result } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import {
  type Discrepancy,
  discrepancyOf,
  DiscrepancyPhotos,
  entityKeyOf,
  layer,
  ShipmentPhotos
} from "../../examples/embedding/shipment-service.ts"

const account = "10020" as AccountId
// A 640×480 PNG header: all the memory image processor reads.
const png = Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 2, 128, 0, 0, 1, 224])
const damaged: Discrepancy = { shipmentId: "1RT823V93", sku: "SKU-001", reasonCode: "DAMAGED", discrepancyId: "D1" }
const missing: Discrepancy = { ...damaged, sku: "SKU-002", reasonCode: "MISSING", discrepancyId: "D2" }

/** The shipment service's side: photos attached to discrepancies, by file id; every call counted. */
const attachments = () => {
  const byFile = new Map<string, readonly [Discrepancy, FileView]>()
  let calls = 0
  const photos = Layer.succeed(DiscrepancyPhotos, DiscrepancyPhotos.of({
    attach: (discrepancy, file) =>
      Effect.sync(() => {
        calls++
        byFile.set(file.file_id, [discrepancy, file])
      })
  }))
  return { byFile, calls: () => calls, photos }
}

/** The service on the memory ports, with the same ports (memoized) left in context so a test can play storage. */
const wired = (photos: Layer.Layer<DiscrepancyPhotos>) => {
  const ports = layerMemory()
  return layer(account, ports).pipe(Layer.provideMerge(Layer.merge(ports, photos)))
}

/** What a client does with the target: its bytes land in storage. */
const clientUploads = (fields: Readonly<Record<string, string>>) =>
  ObjectStore.use((store) => store.put(fields["key"]!, png, "image/png"))

describe("embedding example: shipment service", () => {
  it("maps any discrepancy to its entity key and back (a property over the testing package's arbitraries)", () =>
    fc.assert(
      fc.property(Arbitraries.keyParts("shipment_item"), ([shipmentId, sku, reasonCode, discrepancyId]) => {
        const discrepancy: Discrepancy = { shipmentId: shipmentId!, sku: sku!, reasonCode: reasonCode!, discrepancyId: discrepancyId! }
        const key = entityKeyOf(discrepancy)
        assert.isTrue(Result.isSuccess(key))
        assert.deepStrictEqual(discrepancyOf(Result.getOrThrow(key)), discrepancy)
      }),
      { numRuns: 200 }
    ))

  it.effect("requests a target in process; the notified upload becomes ready and is attached to its discrepancy once", () => {
    const seen = attachments()
    return Effect.gen(function*() {
      const service = yield* ShipmentPhotos
      const target = yield* service.requestUpload(damaged, "image/png")
      assert.strictEqual(target.fields["Content-Type"], "image/png")
      yield* clientUploads(target.fields)
      yield* service.objectStored(target.fields["key"]!, png.length)
      const attached = seen.byFile.get(target.fileId)
      assert.isDefined(attached, "the reaction did not fire")
      const [discrepancy, file] = attached!
      assert.deepStrictEqual(discrepancy, damaged)
      assert.deepStrictEqual([file.status, file.width, file.height, file.entity_id], ["ready", 640, 480, "1RT823V93|SKU-001|DAMAGED|D1"])
      assert.isDefined(file.download_url)
      // Storage delivers at least once: a duplicate notification attaches nothing new.
      yield* service.objectStored(target.fields["key"]!, png.length)
      assert.strictEqual(seen.byFile.size, 1)
      // Keys that are not originals (derivatives, strays) are ignored.
      yield* service.objectStored("images/10020/x/1.jpg", 10)
      assert.deepStrictEqual((yield* service.photosOf("1RT823V93")).map((f) => f.file_id), [target.fileId])
    }).pipe(Effect.provide(wired(seen.photos)))
  })

  it.effect("attaches a photo whose notification was lost once the sweeper finds it", () => {
    const seen = attachments()
    return Effect.gen(function*() {
      const service = yield* ShipmentPhotos
      const target = yield* service.requestUpload(missing, "image/png")
      yield* clientUploads(target.fields)
      yield* service.sweep
      assert.strictEqual(seen.calls(), 0, "not due yet: nothing processed")
      yield* TestClock.adjust(Duration.seconds(defaultMediaConfig.uploadUrlTtlSeconds + defaultMediaConfig.uploadGraceSeconds))
      yield* service.sweep
      const attached = seen.byFile.get(target.fileId)
      assert.isDefined(attached, "the sweeper's ready file was not attached")
      assert.deepStrictEqual([attached![0], attached![1].status], [missing, "ready"])
    }).pipe(Effect.provide(wired(seen.photos)))
  })

  it.effect("refuses a discrepancy whose parts do not make an entity key", () => {
    const seen = attachments()
    return Effect.gen(function*() {
      const service = yield* ShipmentPhotos
      const error = yield* Effect.flip(service.requestUpload({ ...damaged, sku: "SKU|001" }, "image/jpeg"))
      assert.strictEqual(error._tag, "InvalidRequest")
      assert.strictEqual(seen.calls(), 0)
    }).pipe(Effect.provide(wired(seen.photos)))
  })
})
