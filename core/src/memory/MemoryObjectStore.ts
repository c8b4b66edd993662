/**
 * ObjectStore in memory. Its upload target is not reachable over HTTP; tests
 * "upload" with `put`, as storage would after accepting the POST.
 */
import { Effect, Layer, Option } from "effect"
import { ObjectStore, type UploadPolicy } from "../ports/ObjectStore.ts"

/** A new, empty object store in memory. */
export const makeMemoryObjectStore = Effect.sync(() => {
  const objects = new Map<string, { readonly bytes: Uint8Array; readonly contentType: string }>()

  const presignUpload = Effect.fnUntraced(function*(policy: UploadPolicy) {
    return {
      url: "memory://uploads",
      fields: {
        key: policy.key,
        "Content-Type": policy.contentType,
        policy: JSON.stringify({ min: policy.minBytes, max: policy.maxBytes, expiresAt: policy.expiresAt })
      }
    }
  })
  const put = Effect.fnUntraced(function*(key: string, bytes: Uint8Array, contentType: string) {
    objects.set(key, { bytes: bytes.slice(), contentType })
  })
  const get = Effect.fnUntraced(function*(key: string) {
    return Option.map(Option.fromNullishOr(objects.get(key)), (o) => o.bytes.slice())
  })
  const head = Effect.fnUntraced(function*(key: string) {
    return Option.map(Option.fromNullishOr(objects.get(key)), (o) => ({ size: o.bytes.length, contentType: o.contentType }))
  })
  const remove = Effect.fnUntraced(function*(key: string) {
    objects.delete(key)
  })
  return ObjectStore.of({ presignUpload, put, get, head, delete: remove })
})

/** `ObjectStore` in memory, empty when built. */
export const layerMemory = Layer.effect(ObjectStore, makeMemoryObjectStore)
