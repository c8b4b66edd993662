/**
 * Records this process wrote a moment ago, handed from the step that wrote them to the next step of
 * the same file in this process (upload-url → the upload's arrival → its processing), each saving a
 * metadata read. Only ever a hint: whoever uses one writes conditionally on its version, and a lost
 * write reads the record again, as in any race.
 */
import { Context, Effect, Layer, Option } from "effect"
import type { FileRecord } from "../FileRecord.ts"
import type { AccountId, FileId } from "../Ids.ts"

/** How many records a hand-off keeps by default (~1 KiB each), its oldest dropped first. */
export const defaultMaxEntries = 4096

export class KnownRecords extends Context.Service<KnownRecords, {
  /** Keeps `record` (as just written) for the next step of its file; the oldest entry goes when full. */
  readonly put: (record: FileRecord) => Effect.Effect<void>
  /** The record kept for the file, removed as it is taken; none when there is none. */
  readonly take: (accountId: AccountId, fileId: FileId) => Effect.Effect<Option.Option<FileRecord>>
}>()("core/KnownRecords") {
  /**
   * One process-wide hand-off, at most `maxEntries` records (~1 KiB each). An upload-url whose upload
   * never comes keeps its entry until newer ones push it out.
   */
  static readonly layer = (maxEntries = defaultMaxEntries): Layer.Layer<KnownRecords> => Layer.sync(KnownRecords, () => make(maxEntries))
}

/** A hand-off of at most `maxEntries` records. */
export const make = (maxEntries: number): KnownRecords["Service"] => {
  const records = new Map<FileId, FileRecord>()
  return KnownRecords.of({
    put: (record) =>
      Effect.sync(() => {
        records.delete(record.fileId)
        if (records.size >= maxEntries) {
          const oldest = records.keys().next()
          if (oldest.done !== true) records.delete(oldest.value)
        }
        records.set(record.fileId, record)
      }),
    take: (accountId, fileId) =>
      Effect.sync(() => {
        const record = records.get(fileId)
        records.delete(fileId)
        return record !== undefined && record.accountId === accountId ? Option.some(record) : Option.none()
      })
  })
}
