import { Effect, Layer } from "effect"
import { objectStoreContract } from "../../../core/test/contract/ObjectStoreContract.ts"
import { S3rverTest } from "../../../test/support/s3rver.ts"
import { layerClient } from "../../src/s3/S3ObjectStore.ts"

const StoreLayer = Layer.unwrap(
  Effect.gen(function*() {
    const s3 = yield* S3rverTest
    return layerClient({ bucket: s3.bucket, client: s3.clientConfig })
  })
).pipe(Layer.provide(S3rverTest.layer({ bucket: "contract" })))

objectStoreContract("s3rver", StoreLayer)
