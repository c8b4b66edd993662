/**
 * `media download <entity> --out <dir> [--thumbnails]`: every ready photo of a
 * shipment, SKU or discrepancy into a folder, skipping files already there.
 */
import { Console, Effect } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { mkdir, rename, stat, writeFile } from "node:fs/promises"
import { join, resolve } from "node:path"
import type { Variant } from "../ClientOptions.ts"
import { CliFailure, fromUnknown } from "./CliFailure.ts"
import { connect, connectionFlags } from "./Connection.ts"
import { entityTypeOf, keyPrefix } from "./EntityArgs.ts"
import { call, collectAll } from "./sdk.ts"

const exists = (path: string) => stat(path).then((s) => s.isFile() && s.size > 0, () => false)

export const downloadCommand = Command.make("download", {
  entity: Argument.String("entity").pipe(
    Argument.withDescription("1 to 4 parts of the entity key: a shipment, shipment|sku, … or a full key")
  ),
  out: Flag.String("out").pipe(Flag.withDescription("Folder to write <file_id>.jpg into (created if missing)")),
  thumbnails: Flag.Boolean("thumbnails").pipe(
    Flag.withDescription("Also write each 256x256 thumbnail as thumbnails/<file_id>.jpg"),
    Flag.withDefault(false)
  ),
  entityType: Flag.String("entity-type").pipe(Flag.withDescription("Entity type"), Flag.withDefault("shipment_item")),
  concurrency: Flag.Int("concurrency").pipe(Flag.withDescription("Downloads at once (1-16)"), Flag.withDefault(4)),
  ...connectionFlags
}, (input) =>
  Effect.gen(function*() {
    const entityType = yield* entityTypeOf(input.entityType)
    const entityId = yield* keyPrefix(entityType, input.entity)
    if (input.concurrency < 1 || input.concurrency > 16) return yield* CliFailure.usage("--concurrency must be 1 to 16")
    const media = yield* connect(input)
    const out = resolve(input.out)
    const variants: ReadonlyArray<readonly [Variant, string]> = input.thumbnails
      ? [["image", out], ["thumbnail", join(out, "thumbnails")]]
      : [["image", out]]
    yield* Effect.tryPromise({
      try: () => Promise.all(variants.map(([, dir]) => mkdir(dir, { recursive: true }))),
      catch: (error) => CliFailure.usage(`cannot create ${out}: ${(error as Error).message}`)
    })
    const files = yield* collectAll((signal) => media.search({ entityId, entityType, limit: 100, signal }))
    const ready = files.filter((f) => f.status === "ready")
    const jobs = ready.flatMap((file) => variants.map(([variant, dir]) => ({ file, variant, path: join(dir, `${file.file_id}.jpg`) })))
    const counts = { downloaded: 0, skipped: 0 }
    yield* Effect.forEach(jobs, (job) =>
      Effect.gen(function*() {
        if (yield* Effect.promise(() => exists(job.path))) {
          counts.skipped += 1
          return yield* Console.log(`skipped     ${job.path}`)
        }
        const bytes = yield* call((signal) => media.downloadBytes(job.file, job.variant, { signal }))
        // Written under a temporary name first, so an interrupted run never leaves a partial file that a rerun would skip.
        yield* Effect.tryPromise({
          try: async () => {
            const temp = `${job.path}.part`
            await writeFile(temp, bytes)
            await rename(temp, job.path)
          },
          catch: fromUnknown
        })
        counts.downloaded += 1
        yield* Console.log(`downloaded  ${job.path}`)
      }), { concurrency: input.concurrency, discard: true })
    const notReady = files.length - ready.length
    yield* Console.log(
      `${counts.downloaded} downloaded, ${counts.skipped} already there` +
        (notReady > 0 ? `, ${notReady} not ready (not downloaded)` : "")
    )
  })).pipe(
  Command.withDescription(
    "Download every ready photo of a shipment, SKU or discrepancy into --out as <file_id>.jpg " +
      "(and thumbnails/<file_id>.jpg with --thumbnails). Files already there are skipped."
  )
)
