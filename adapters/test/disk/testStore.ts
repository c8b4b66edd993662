/** A disk store in a fresh temp directory, removed when the layer is released. */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { Context, Effect, FileSystem, Layer, Redacted } from "effect"
import { layer as diskLayer } from "../../src/disk/DiskObjectStore.ts"
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
