/**
 * Port: new file ids. Random UUIDs in production, predictable ones in tests.
 */
import { Context, Effect, Layer } from "effect"
import type { FileId } from "../Ids.ts"

/** Port: new file ids, lowercase UUIDs (SPEC §2 `file_id`). `FileIds.layer` uses Web Crypto. */
export class FileIds extends Context.Service<FileIds, {
  readonly next: Effect.Effect<FileId>
}>()("core/FileIds") {
  /** Web Crypto's random UUID (present in Node, Deno, browsers and Lambda). */
  static readonly layer = Layer.succeed(FileIds, FileIds.of({
    next: Effect.sync(() => globalThis.crypto.randomUUID() as FileId)
  }))
}
