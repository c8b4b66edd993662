/** `media get <id>`, `media delete <id>`, `media search <entity> [--json]`. */
import { Console, Effect } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import type { MediaFile } from "../types.ts"
import { connect, connectionFlags } from "./Connection.ts"
import { entityTypeOf, keyPrefix } from "./EntityArgs.ts"
import { formatBytes } from "./Progress.ts"
import { call, collectAll } from "./sdk.ts"

const fileId = Argument.String("file-id").pipe(Argument.withDescription("The file's id (a UUID)"))

export const getCommand = Command.make("get", { fileId, ...connectionFlags }, (input) =>
  Effect.gen(function*() {
    const media = yield* connect(input)
    const file = yield* call((signal) => media.get(input.fileId, { signal }))
    yield* Console.log(JSON.stringify(file, null, 2))
  })).pipe(Command.withDescription("Print one file record as JSON (signed download URLs included once ready)."))

export const deleteCommand = Command.make("delete", { fileId, ...connectionFlags }, (input) =>
  Effect.gen(function*() {
    const media = yield* connect(input)
    yield* call((signal) => media.delete(input.fileId, { signal }))
    yield* Console.log(`deleted ${input.fileId}`)
  })).pipe(Command.withDescription("Delete a file and every stored object of it."))

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(".000Z", "Z")

/** The search table: one row per file, columns padded to their widest cell. */
export const renderTable = (files: ReadonlyArray<MediaFile>): string => {
  const header = ["FILE_ID", "STATUS", "SIZE", "WxH", "CREATED", "ENTITY_ID"]
  const rows = files.map((f) => [
    f.file_id,
    f.status === "failed" && f.failure_reason !== undefined ? `failed:${f.failure_reason}` : f.status,
    formatBytes(f.file_size),
    f.width === undefined ? "-" : `${f.width}x${f.height}`,
    iso(f.created_at),
    f.entity_id
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: ReadonlyArray<string>) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")
  return [line(header), ...rows.map(line)].join("\n")
}

export const searchCommand = Command.make("search", {
  entity: Argument.String("entity").pipe(
    Argument.withDescription("1 to 4 parts of the entity key: a shipment, shipment|sku, … or a full key")
  ),
  entityType: Flag.String("entity-type").pipe(Flag.withDescription("Entity type"), Flag.withDefault("shipment_item")),
  json: Flag.Boolean("json").pipe(Flag.withDescription("Print the files as a JSON array instead of a table"), Flag.withDefault(false)),
  ...connectionFlags
}, (input) =>
  Effect.gen(function*() {
    const entityType = yield* entityTypeOf(input.entityType)
    const entityId = yield* keyPrefix(entityType, input.entity)
    const media = yield* connect(input)
    const files = yield* collectAll((signal) => media.search({ entityId, entityType, limit: 100, signal }))
    if (input.json) return yield* Console.log(JSON.stringify(files, null, 2))
    yield* Console.log(files.length === 0 ? "no files" : renderTable(files))
  })).pipe(Command.withDescription("List every file of an entity (all pages), as a table or --json."))
