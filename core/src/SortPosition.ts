/**
 * The search order of SPEC §3 (entity_id by bytes, then created_at, then
 * file_id) as one string per file, so stores that sort strings by UTF-8 bytes
 * (DynamoDB) and the memory store order files identically.
 */
import { Schema } from "effect"
import { sortKeyDelimiter } from "./EntityKey.ts"

/**
 * Where a file sits in search order (SPEC §3): its entity id, `createdAt` (UNIX seconds) and file id.
 * What a cursor carries.
 */
export const SortPosition = Schema.Struct({
  entityId: Schema.String,
  createdAt: Schema.Int,
  fileId: Schema.String
})
/** A decoded `SortPosition`. */
export type SortPosition = typeof SortPosition.Type

const createdAtWidth = 12

/**
 * `entity_id \u0001 created_at(12 digits) \u0001 file_id`. The delimiter is below
 * every character a key part may hold, so a key that is a prefix of another
 * sorts first, as it does when comparing entity ids alone.
 */
export const sortKey = (position: SortPosition): string =>
  position.entityId + sortKeyDelimiter + String(position.createdAt).padStart(createdAtWidth, "0") +
  sortKeyDelimiter + position.fileId

/** Compares strings by Unicode code point, which is UTF-8 byte order (JS `<` compares UTF-16 units). */
export const compareCodePoints = (a: string, b: string): number => {
  const ai = a[Symbol.iterator]()
  const bi = b[Symbol.iterator]()
  for (;;) {
    const x = ai.next()
    const y = bi.next()
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1
    if (x.value !== y.value) return x.value.codePointAt(0)! - y.value.codePointAt(0)!
  }
}

/** Orders `sortKey`s the way every FileRepository must order search results (code point order). */
export const compareSortKeys = compareCodePoints
