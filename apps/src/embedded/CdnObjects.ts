/**
 * Where the embedded CDN route finds the objects it serves: the disk store's
 * files, read as streams (`layerDisk`).
 */
import { createHash } from "node:crypto"
import { Context, Effect, Layer, Option, Stream } from "effect"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as DiskObjectReader from "@media-object-storage/adapters/disk/DiskObjectReader"
import { ObjectStore } from "@media-object-storage/core/ports/ObjectStore"

export class CdnObjects extends Context.Service<CdnObjects, DiskObjectReader.DiskObjectReader>()("apps/CdnObjects") {
  /** The objects under `root`, the disk store's directory. */
  static readonly layerDisk = (root: string) =>
    Layer.effect(CdnObjects, DiskObjectReader.make(root)).pipe(Layer.provide(NodeFileSystem.layer))

  /**
   * Any `ObjectStore`, each object read whole (ETag: its MD5, as S3 gives single-part objects). Only for the
   * aws-mode tests' loopback CloudFront over the S3 stand-in: it buffers every download, so never serve it.
   */
  static readonly layerObjectStore = Layer.effect(
    CdnObjects,
    Effect.map(ObjectStore, (store): DiskObjectReader.DiskObjectReader => ({
      find: (key) =>
        Effect.map(store.get(key), Option.map((bytes): DiskObjectReader.StoredObject => ({
          size: bytes.length,
          etag: `"${createHash("md5").update(bytes).digest("hex")}"`,
          read: (start, end) => Stream.make(bytes.subarray(start, end + 1))
        })))
    }))
  )
}
