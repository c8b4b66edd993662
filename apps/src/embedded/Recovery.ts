/**
 * Start-up recovery for embedded mode. One process owns the data dir, so
 * whatever a previous run left half-done (an upload stored but not processed,
 * a file queued when it stopped) belongs to no one and is dispatched again at
 * once rather than when its due time comes (finished files whose original was
 * not yet removed, and deletes that did not finish, included). Files left `processing` wait for their lease, then
 * the sweeper retries them.
 */
import { Effect, Layer, Option } from "effect"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { removeDeadTemps } from "@media-object-storage/adapters/disk/DiskObjectStore"
import { nowSeconds } from "@media-object-storage/core/nowSeconds"
import { posix } from "node:path"
import { imageKey, originalKey, originalsPrefix, thumbnailKey } from "@media-object-storage/core/ObjectKeys"
import { FileRepository } from "@media-object-storage/core/ports/FileRepository"
import { ObjectStore } from "@media-object-storage/core/ports/ObjectStore"
import { Dispatcher } from "./Dispatcher.ts"
import { LastStop } from "./LastStop.ts"

// Every file still moving has a due time within the upload window + grace; look well past it.
const horizonSeconds = 10 * 365 * 24 * 3600
const batch = 10_000

export const layer = Layer.effectDiscard(Effect.gen(function*() {
  const repo = yield* FileRepository
  const store = yield* ObjectStore
  const dispatcher = yield* Dispatcher
  const pending = yield* repo.listDue((yield* nowSeconds) + horizonSeconds, batch)
  let dispatched = 0
  for (const record of pending) {
    const key = originalKey(record.accountId, record.fileId)
    // Stored but not processed, or final with its clean-up not yet recorded: both are ours to finish.
    const unfinished = record.status !== "uploading" && record.status !== "processing" ||
      (record.status === "uploading" && Option.isSome(yield* store.head(key)))
    if (!unfinished) continue
    yield* dispatcher.dispatch({ accountId: record.accountId, fileId: record.fileId })
    dispatched++
  }
  if (dispatched > 0) yield* Effect.logInfo("recovered unfinished uploads from the last run", { count: dispatched })
}).pipe(Effect.catchCause((cause) => Effect.logError("start-up recovery failed; the sweeper will catch up", cause))))

/**
 * Where a write the last run was doing may have left a temp: every upload's (`originals/`), and
 * after an unclean stop the derivative folders of the files still due. Derivatives are written
 * only by an attempt that holds its file `processing`, which keeps it due until it is final, so
 * these folders are all a kill can have left temps in, and they scale with the work in flight,
 * not with the store. (Not looked in: a file deleted and purged while its attempt was writing.)
 */
const foldersToClean = Effect.fnUntraced(function*(unclean: boolean) {
  if (!unclean) return [originalsPrefix]
  const repo = yield* FileRepository
  const due = yield* repo.listDue((yield* nowSeconds) + horizonSeconds, batch)
  return [
    originalsPrefix,
    ...due.flatMap((r) => [posix.dirname(imageKey(r.accountId, r.fileId, 1)), posix.dirname(thumbnailKey(r.accountId, r.fileId, 1))])
  ]
})

/**
 * Removes the temp files the last run left in the disk store under `root`: the raw bytes of
 * uploads cut off by a kill, and of writes a crash interrupted. Build it before anything writes
 * objects (the upload endpoint, the dispatcher, the sweeper), and on a repaired metadata store:
 * then every temp is dead, whatever its age. Uploads' temps are looked for at every start; after
 * an unclean stop, those of the files still due too (`foldersToClean`).
 */
export const removeDeadTempsAtStart = (root: string) =>
  Layer.effectDiscard(Effect.gen(function*() {
    const { unclean } = yield* LastStop
    const removed = yield* removeDeadTemps(root, { under: yield* foldersToClean(unclean) })
    if (removed > 0) yield* Effect.logWarning("removed temp files of uploads and writes the last run left unfinished", { count: removed })
  }).pipe(
    Effect.catchCause((cause) => Effect.logError("could not remove dead temp files at start; the sweeper retries", cause)),
    Effect.provide(NodeFileSystem.layer)
  ))
