/**
 * A data dir as a long-running embedded server leaves it: `n` ready files, each
 * with its metadata record and its image and thumbnail on disk (hard links of
 * one small JPEG and its sidecar, so 100k files cost inodes and directories,
 * not gigabytes). The table is made and checked through the repository; the
 * records go straight into dynalite's LevelDB in batches, laid out by the
 * adapter's `toItem` and dynalite's own key and index functions (through the
 * repository, 100k creates take many minutes on a busy machine).
 */
import { marshall } from "@aws-sdk/util-dynamodb"
import { linkSync, mkdirSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import dynaliteDb from "dynalite/db/index.js"
import { layerDynalite } from "@media-object-storage/adapters/dynamodb/DynaliteFileRepository"
import { toItem } from "../../adapters/src/dynamodb/FileItem.ts"
import type { EntityKey } from "@media-object-storage/core/EntityKey"
import type { FileRecord } from "@media-object-storage/core/FileRecord"
import type { AccountId, FileId } from "@media-object-storage/core/Ids"
import { imageKey, thumbnailKey } from "@media-object-storage/core/ObjectKeys"
import { FileRepository } from "@media-object-storage/core/ports/FileRepository"

const account = "10000" as AccountId
const createdAt = 1_760_000_000

const fileId = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}` as FileId

/** A ready file: processed by attempt 1, its original cleaned up (no due time). */
const readyFile = (i: number): FileRecord => ({
  fileId: fileId(i),
  accountId: account,
  entityType: "shipment_item",
  // 20 files per shipment, 4 SKUs: search pages look like real ones.
  entityId: `SHIP${Math.floor(i / 20)}|SKU-${i % 4}|DAMAGED|D${i % 20}` as EntityKey,
  contentType: "image/jpeg",
  status: "ready",
  fileSize: 2048,
  createdAt: createdAt + i,
  updatedAt: createdAt + i,
  version: 4,
  attempts: 1,
  uploadExpiresAt: createdAt + i + 900,
  width: 1200,
  height: 800
})

type Item = Record<string, unknown>
interface Table { readonly GlobalSecondaryIndexes: ReadonlyArray<unknown> }
const { createKey, getIndexActions } = dynaliteDb as unknown as {
  createKey: (item: Item, table: Table) => string
  getIndexActions: (indexes: ReadonlyArray<unknown>, existing: null, item: Item, table: Table) => {
    puts: ReadonlyArray<{ index: string; key: string; item: Item }>
  }
}
interface LevelDb {
  open(): Promise<void>
  close(): Promise<void>
  get(key: string): Promise<unknown>
  batch(operations: ReadonlyArray<{ type: "put"; key: string; value: unknown }>): Promise<void>
}
// dynalite's own LevelDB binding, so the files are written exactly as dynalite reads them.
const { Level } = createRequire(createRequire(import.meta.url).resolve("dynalite"))("level") as {
  Level: new(path: string, options: { valueEncoding: "json" }) => LevelDb
}

/** Files 1 … n-1 written as dynalite writes a PutItem: the item and its index entries. */
const writeRecords = (path: string, n: number) =>
  Effect.promise(async () => {
    const level = new Level(path, { valueEncoding: "json" })
    await level.open()
    try {
      const table = (await level.get("table~media")) as Table
      for (let start = 1; start < n; start += 2000) {
        const operations = []
        for (let i = start; i < Math.min(n, start + 2000); i++) {
          const item = marshall(toItem(readyFile(i)), { removeUndefinedValues: true }) as Item
          operations.push({ type: "put" as const, key: `item-media~${createKey(item, table)}`, value: item })
          for (const put of getIndexActions(table.GlobalSecondaryIndexes, null, item, table).puts) {
            operations.push({ type: "put" as const, key: `index-global~media~${put.index}~${put.key}`, value: put.item })
          }
        }
        await level.batch(operations)
      }
    } finally {
      await level.close()
    }
  })

const withRepository = <A>(path: string, use: Effect.Effect<A, unknown, FileRepository>) =>
  use.pipe(Effect.provide(Layer.fresh(layerDynalite({ path }))))

/** Stores `n` ready files under `dataDir` (metadata in `metadata/`, objects in `objects/`). */
export const makeDataset = (dataDir: string, n: number) =>
  Effect.gen(function*() {
    const metadata = join(dataDir, "metadata")
    // The table, and file 0 through the repository: the layout the others copy.
    yield* withRepository(metadata, Effect.gen(function*() {
      yield* (yield* FileRepository).create(readyFile(0))
    }))
    yield* writeRecords(metadata, n)
    const found = yield* withRepository(metadata, Effect.gen(function*() {
      return yield* (yield* FileRepository).get(account, fileId(n - 1))
    }))
    if (found._tag !== "Some") throw new Error("the data set's last file cannot be read back")
    const objects = join(dataDir, "objects")
    const template = join(dataDir, "template")
    mkdirSync(template, { recursive: true })
    for (let i = 0; i < n; i++) {
      // A file may have at most 65000 links (ext4): a new template every 30000 files.
      const copy = Math.floor(i / 30_000)
      if (i % 30_000 === 0) {
        writeFileSync(join(template, `data${copy}`), new Uint8Array(2048))
        writeFileSync(join(template, `meta${copy}`), JSON.stringify({ contentType: "image/jpeg" }))
      }
      for (const key of [imageKey(account, fileId(i), 1), thumbnailKey(account, fileId(i), 1)]) {
        const path = join(objects, key)
        const dir = join(path, "..")
        mkdirSync(dir, { recursive: true })
        linkSync(join(template, `data${copy}`), path)
        linkSync(join(template, `meta${copy}`), join(dir, ".1.jpg.meta.json"))
      }
    }
  })
