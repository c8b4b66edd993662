/** A disk store in a fresh temp directory, removed when the layer is released. */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { Context, Effect, FileSystem, Layer, Redacted } from "effect"
import type { UploadPolicy } from "@media-object-storage/core/ports/ObjectStore"
import { layer as diskLayer } from "../../src/disk/DiskObjectStore.ts"
import { presignPost } from "../../src/s3/presignPost.ts"
import { makeClient } from "../../src/s3/S3ObjectStore.ts"
import type { LocalCredentials } from "../../src/disk/LocalCredentials.ts"

export const testCredentials: LocalCredentials = {
  accessKeyId: "LOCALTESTKEY",
  secretAccessKey: Redacted.make("local-test-secret-0123456789")
}

/** Where the test store keeps its objects. */
export class StoreRoot extends Context.Service<StoreRoot, string>()("test/StoreRoot") {
  static readonly layer = Layer.effect(
    StoreRoot,
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      return yield* fs.makeTempDirectoryScoped({ prefix: "disk-store-" })
    })
  ).pipe(Layer.provide(NodeFileSystem.layer), Layer.orDie)
}

export const diskStoreLayer = (publicUrl = "http://127.0.0.1:1") =>
  Layer.unwrap(
    Effect.gen(function*() {
      const root = yield* StoreRoot
      return diskLayer({ root, publicUrl, bucket: "media", credentials: testCredentials })
    })
  ).pipe(Layer.provideMerge(StoreRoot.layer))

/** Signs `policy` with the store's keys for the bucket at `url`, bypassing the store's own key checks. */
export const signWithStoreKeys = (url: string, policy: UploadPolicy) =>
  Effect.acquireUseRelease(
    Effect.sync(() =>
      makeClient({
        endpoint: url.replace(/\/media$/, ""),
        region: "us-east-1",
        credentials: {
          accessKeyId: testCredentials.accessKeyId,
          secretAccessKey: Redacted.value(testCredentials.secretAccessKey)
        }
      })
    ),
    (client) => presignPost(client, "media", policy),
    (client) => Effect.sync(() => client.destroy())
  )
