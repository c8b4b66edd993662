/**
 * Whether the last embedded server stopped cleanly. A marker file sits in the
 * data dir while a server runs and goes when it stops; finding it at start
 * means the last run was killed. dynalite writes an item's index entries and
 * the item one after another, and a kill in between can hide a file from the
 * sweeper for good; the store journals each write's intent and settles those a
 * kill left as it opens (adapters/src/dynamodb/WriteIntents.ts), so the repair
 * costs what was in flight. Only a store the last run wrote without intents (an
 * older version) gets the whole-table repair (RepairIndexes.ts).
 *
 * Build `LastStop.layer` on top of the metadata store: the marker is made
 * once the store holds the data dir (a second server on the same dir fails
 * before touching it) and removed before the store closes, once everything
 * that writes to the store has stopped.
 */
import { join } from "node:path"
import { Context, Effect, FileSystem, Layer } from "effect"
import { DynamoTable } from "@media-object-storage/adapters/dynamodb/DynamoTable"
import { repairDueIndex } from "@media-object-storage/adapters/dynamodb/RepairIndexes"

export const markerName = ".server-running"

export class LastStop extends Context.Service<LastStop, {
  /** The marker was there at start: the previous server did not stop cleanly. */
  readonly unclean: boolean
}>()("apps/LastStop") {
  static readonly layer = (dataDir: string) =>
    Layer.effect(
      LastStop,
      Effect.gen(function*() {
        const fs = yield* FileSystem.FileSystem
        const marker = join(dataDir, markerName)
        return yield* Effect.acquireRelease(
          Effect.gen(function*() {
            const unclean = yield* fs.exists(marker)
            yield* fs.writeFileString(marker, `${process.pid}\n`)
            return LastStop.of({ unclean })
          }),
          () => fs.remove(marker, { force: true }).pipe(Effect.ignore)
        )
      })
    )
}

/**
 * After an unclean stop, says so, with what the store's open settled (the writes the kill cut off).
 * A store without write intents from the last run gets every item with a due time rewritten instead.
 */
export const repairAfterUncleanStop = Layer.effectDiscard(Effect.gen(function*() {
  if (!(yield* LastStop).unclean) return
  const table = yield* DynamoTable
  const intents = table.writeIntents
  if (intents !== undefined && intents.journaledBefore) {
    yield* Effect.logWarning("the last run did not stop cleanly; metadata indexes repaired", {
      interruptedWrites: intents.settled,
      entriesRemoved: intents.entriesRemoved
    })
    return
  }
  const report = yield* repairDueIndex(table)
  yield* Effect.logWarning("the last run did not stop cleanly; metadata indexes repaired (whole table: no write intents)", report)
}))
