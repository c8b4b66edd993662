/**
 * A shipment service that embeds Media Object Storage's core in its own process
 * (docs/embedding.md): it asks for upload targets for the photos of a receiving discrepancy,
 * hands storage's notifications to processing, and attaches each photo to its discrepancy once it
 * is `ready`. The ports come from whatever layer the host provides: core's memory layer in the
 * test (test/packages/embedding-example.test.ts), its own or `@media-object-storage/adapters` in
 * production.
 */
import { type EntityKey, formatKey, keyParts } from "@media-object-storage/core/EntityKey"
import type { FileView } from "@media-object-storage/core/FileView"
import type { AccountId, FileId } from "@media-object-storage/core/Ids"
import { InvalidRequest } from "@media-object-storage/core/MediaErrors"
import { ObjectArrived } from "@media-object-storage/core/ObjectArrived"
import type { Cursors } from "@media-object-storage/core/Cursors"
import type { FileIds } from "@media-object-storage/core/ports/FileIds"
import type { FileRepository, RepositoryError, WriteConflict } from "@media-object-storage/core/ports/FileRepository"
import type { ImageProcessor } from "@media-object-storage/core/ports/ImageProcessor"
import type { ObjectStore, StorageError } from "@media-object-storage/core/ports/ObjectStore"
import type { SigningError, UrlSigner } from "@media-object-storage/core/ports/UrlSigner"
import { MediaFiles } from "@media-object-storage/core/usecases/MediaFiles"
import { Processing } from "@media-object-storage/core/usecases/Processing"
import { Context, Effect, Layer, Option, Result } from "effect"

/** A discrepancy found while receiving a shipment: what its photos are linked to (a `shipment_item` key). */
export interface Discrepancy {
  readonly shipmentId: string
  readonly sku: string
  readonly reasonCode: string
  readonly discrepancyId: string
}

/** The discrepancy's `shipment_item` key (SPEC §4); `InvalidRequest` when a part is not a valid key part. */
export const entityKeyOf = (d: Discrepancy): Result.Result<EntityKey, InvalidRequest> =>
  Result.mapError(
    formatKey("shipment_item", [d.shipmentId, d.sku, d.reasonCode, d.discrepancyId]),
    (e) => new InvalidRequest({ message: e.message })
  )

/** The discrepancy a valid `shipment_item` key names (the inverse of `entityKeyOf`). */
export const discrepancyOf = (entityId: string): Discrepancy => {
  const [shipmentId = "", sku = "", reasonCode = "", discrepancyId = ""] = keyParts(entityId as EntityKey)
  return { shipmentId, sku, reasonCode, discrepancyId }
}

/**
 * The shipment service's own port: what it does with a photo once it is ready (here, attach it to
 * the discrepancy). Called at least once per ready photo, so it must be idempotent by `file.file_id`.
 */
export class DiscrepancyPhotos extends Context.Service<DiscrepancyPhotos, {
  attach(discrepancy: Discrepancy, file: FileView): Effect.Effect<void>
}>()("shipments/DiscrepancyPhotos") {}

/** Where the client POSTs one photo: every field, then the file in a field named `file`. */
export interface UploadTarget {
  readonly fileId: FileId
  readonly url: string
  readonly fields: Readonly<Record<string, string>>
}

/** Every port core's use cases need; `layerMemory()` (core) provides them all, and so must a host's own layer. */
export type MediaPorts = FileRepository | ObjectStore | ImageProcessor | UrlSigner | FileIds | Cursors

/** The media side of the shipment service, on core's use cases. */
export class ShipmentPhotos extends Context.Service<ShipmentPhotos, {
  /** A pre-signed upload target (SPEC §3 `upload-url`) for one photo of `discrepancy`. */
  requestUpload(
    discrepancy: Discrepancy,
    contentType: "image/jpeg" | "image/png"
  ): Effect.Effect<UploadTarget, InvalidRequest | StorageError | RepositoryError | WriteConflict>
  /**
   * Storage reports `size` bytes stored under `key` (an S3 notification, an upload endpoint): an
   * original is processed at once, and attached when it became ready. Other keys are ignored.
   */
  objectStored(key: string, size: number): Effect.Effect<void, RepositoryError | StorageError | SigningError>
  /** One sweep of due files (lost notifications, expired uploads, retries); photos that became ready are attached. */
  readonly sweep: Effect.Effect<void, RepositoryError | SigningError>
  /** The photos of a shipment (its first page; SPEC §3 search on the shipment id as a one-part prefix). */
  photosOf(shipmentId: string): Effect.Effect<ReadonlyArray<FileView>, InvalidRequest | RepositoryError | SigningError>
}>()("shipments/ShipmentPhotos") {
  /** For the account the shipment service owns (SPEC §5), on the `MediaFiles` and `Processing` in context. */
  static readonly layer = (account: AccountId) =>
    Layer.effect(
      ShipmentPhotos,
      Effect.gen(function*() {
        const files = yield* MediaFiles
        const processing = yield* Processing
        const photos = yield* DiscrepancyPhotos

        const attachIfReady = (fileId: FileId) =>
          Effect.gen(function*() {
            const file = yield* files.get(account, fileId)
            if (file.status === "ready") yield* photos.attach(discrepancyOf(file.entity_id), file)
          }).pipe(Effect.catchTag("FileNotFound", () => Effect.void)) // deleted in the meantime: nothing to attach

        return ShipmentPhotos.of({
          requestUpload: (discrepancy, contentType) =>
            Effect.gen(function*() {
              const entityId = yield* Effect.fromResult(entityKeyOf(discrepancy))
              const ticket = yield* files.requestUpload(account, { contentType, entityType: "shipment_item", entityId })
              return { fileId: ticket.file_id, url: ticket.upload_url, fields: ticket.fields }
            }),
          objectStored: (key, size) =>
            Option.match(ObjectArrived.fromKey(key, size), {
              onNone: () => Effect.void,
              onSome: (arrival) =>
                Effect.gen(function*() {
                  if (arrival.accountId !== account) return
                  if ((yield* processing.arrive(arrival)) === "ready") yield* attachIfReady(arrival.fileId)
                })
            }),
          sweep: Effect.gen(function*() {
            for (const [record, result] of yield* processing.sweep()) {
              if (result === "ready" && record.accountId === account) yield* attachIfReady(record.fileId)
            }
          }),
          photosOf: (shipmentId) =>
            Effect.map(files.search(account, { entityType: "shipment_item", entityId: shipmentId }), (page) => page.files)
        })
      })
    )
}

/**
 * Everything the shipment service needs from the media core, on the ports `ports` provides (every
 * core port: FileRepository, ObjectStore, ImageProcessor, UrlSigner, FileIds, Cursors) and its own
 * `DiscrepancyPhotos`.
 */
export const layer = <E, R>(account: AccountId, ports: Layer.Layer<MediaPorts, E, R>) =>
  ShipmentPhotos.layer(account).pipe(
    Layer.provide(Layer.mergeAll(MediaFiles.layer, Processing.layer)),
    Layer.provide(ports)
  )
