/** Search helpers for the adapter tests: prefixes from raw strings, and walking every page. */
import { type EntityPrefix, parsePrefix } from "@media-object-storage/core/EntityKey"
import type { FileRecord } from "@media-object-storage/core/FileRecord"
import type { AccountId } from "@media-object-storage/core/Ids"
import { FileRepository } from "@media-object-storage/core/ports/FileRepository"
import type { SortPosition } from "@media-object-storage/core/SortPosition"
import { Effect, Result } from "effect"

export const prefix = (raw: string): EntityPrefix => Result.getOrThrow(parsePrefix("shipment_item", raw))

export const positionOf = (r: FileRecord): SortPosition => ({
  entityId: r.entityId,
  createdAt: r.createdAt,
  fileId: r.fileId
})

/** Every page of a search, following `more` from the last file's position (bounded). */
export const allPages = (accountId: AccountId, raw: string, limit: number) =>
  Effect.gen(function*() {
    const repo = yield* FileRepository
    const pages: Array<ReadonlyArray<FileRecord>> = []
    let after: SortPosition | undefined
    for (let i = 0; i < 1000; i++) {
      const page = yield* repo.search({ accountId, entityType: "shipment_item", prefix: prefix(raw), after, limit })
      pages.push(page.files)
      const last = page.files.at(-1)
      if (!page.more || last === undefined) break
      after = positionOf(last)
    }
    return pages
  })

export const ids = (records: ReadonlyArray<FileRecord>) => records.map((r) => r.fileId)
