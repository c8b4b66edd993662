/**
 * An original arrived in storage: the one fact every edge reports to
 * processing (SPEC §6) — the S3 notification (Lambda), the embedded upload
 * endpoint, and a sweep or a workflow step that finds the object itself.
 */
import { Option, Schema } from "effect"
import { AccountId, FileId } from "./Ids.ts"
import { parseOriginalKey } from "./ObjectKeys.ts"

/** Bytes, a non-negative integer. */
const Size = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

/** The original of `fileId` (of `accountId`) is stored, `size` bytes long. */
export class ObjectArrived extends Schema.TaggedClass<ObjectArrived>()("ObjectArrived", {
  accountId: AccountId,
  fileId: FileId,
  size: Size
}) {
  /**
   * What storage reporting `size` bytes under `key` means: an arrival when `key` is an original
   * (`originals/<account>/<file_id>`); none for any other key (derivatives, strays) or a size that is
   * not a non-negative integer, so writing derivatives never triggers processing.
   */
  static fromKey(key: string, size: number): Option.Option<ObjectArrived> {
    if (!Number.isSafeInteger(size) || size < 0) return Option.none()
    return Option.map(parseOriginalKey(key), (ids) => new ObjectArrived({ ...ids, size }))
  }
}
