/**
 * The memory ObjectStore, wrapped so tests can list what it holds: the port
 * has no "list", and orphan objects are exactly what the hardening suites hunt.
 */
import { Context, Effect, Layer } from "effect"
import { makeMemoryObjectStore } from "@media-object-storage/core/memory/MemoryObjectStore"
import { ObjectStore } from "@media-object-storage/core/ports/ObjectStore"

export interface StoredKeysShape {
  /** Keys that hold an object right now. */
  readonly present: Set<string>
  /** Every key ever written, in order (a key written twice appears twice). */
  readonly puts: Array<string>
}

export class StoredKeys extends Context.Service<StoredKeys, StoredKeysShape>()("test/hardening/StoredKeys") {}

/** Keys present under `prefix`, sorted. */
export const presentUnder = (prefix: string) =>
  StoredKeys.useSync((keys) => [...keys.present].filter((k) => k.startsWith(prefix)).sort())

const recordingStore = Layer.effect(
  ObjectStore,
  Effect.gen(function*() {
    const inner = yield* makeMemoryObjectStore
    const keys = yield* StoredKeys
    return ObjectStore.of({
      ...inner,
      put: (key, bytes, contentType) =>
        inner.put(key, bytes, contentType).pipe(Effect.tap(() =>
          Effect.sync(() => {
            keys.present.add(key)
            keys.puts.push(key)
          })
        )),
      delete: (key) => inner.delete(key).pipe(Effect.tap(() => Effect.sync(() => keys.present.delete(key))))
    })
  })
)

/** ObjectStore (in memory) plus StoredKeys describing its content. */
export const layerRecordingMemory = recordingStore.pipe(
  Layer.provideMerge(Layer.sync(StoredKeys, () => ({ present: new Set<string>(), puts: [] })))
)
