/**
 * A consumer of the published packages (SPEC §5–§6 on the memory ports): requests an upload
 * target, stores the original as a client's POST would, reports the arrival, and reads the
 * file back `ready` with its download URLs. Prints one JSON line; exits non-zero on failure.
 */
import { Effect, Layer, Option, Schema } from "effect"
import { LayerMemory, MediaFiles as MediaFilesModule } from "@media-object-storage/core"
import { AccountId } from "@media-object-storage/core/Ids"
import { ObjectArrived } from "@media-object-storage/core/ObjectArrived"
import { ObjectStore } from "@media-object-storage/core/ports/ObjectStore"
import { Processing } from "@media-object-storage/core/usecases/Processing"

const { MediaFiles } = MediaFilesModule

/** A 640×480 PNG header: enough for the memory image processor. */
const png = (): Uint8Array => {
  const bytes = new Uint8Array(64)
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  new DataView(bytes.buffer).setUint32(16, 640)
  new DataView(bytes.buffer).setUint32(20, 480)
  return bytes
}

const program = Effect.gen(function*() {
  const account = Schema.decodeUnknownSync(AccountId)("acct-consumer")
  const files = yield* MediaFiles
  const processing = yield* Processing
  const ticket = yield* files.requestUpload(account, {
    contentType: "image/png",
    entityType: "shipment_item",
    entityId: "SHIP-1|SKU-9|damaged|D-1"
  })
  const key = ticket.fields["key"]
  if (key === undefined) return yield* Effect.die(new Error("the upload target names no key"))
  const bytes = png()
  yield* (yield* ObjectStore).put(key, bytes, "image/png")
  const arrival = Option.getOrThrow(ObjectArrived.fromKey(key, bytes.length))
  const outcome = yield* processing.arrive(arrival)
  const file = yield* files.get(account, ticket.file_id)
  return { before: ticket.status, outcome, status: file.status, width: file.width, height: file.height, hasDownloadUrl: typeof file.download_url === "string" }
})

const layer = Layer.mergeAll(MediaFiles.layer, Processing.layer).pipe(Layer.provideMerge(LayerMemory.layerMemory()))

Effect.runPromise(program.pipe(Effect.provide(layer))).then(
  (result) => console.log(JSON.stringify(result)),
  (error: unknown) => {
    console.error(error)
    process.exitCode = 1
  }
)
