/**
 * `media upload <files…> --entity <key>`: photos (or folders of photos) for one
 * entity, several at once, with progress, resuming a batch after a failure.
 */
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { createReadStream } from "node:fs"
import { readdir, stat } from "node:fs/promises"
import { basename, extname, join, resolve } from "node:path"
import { CliFailure, fromUnknown } from "./CliFailure.ts"
import { connect, connectionFlags } from "./Connection.ts"
import { entityTypeOf, fullKey } from "./EntityArgs.ts"
import { type FileProgress, formatBytes, progressView } from "./Progress.ts"
import { call } from "./sdk.ts"
import { defaultStatePath, loadUploadState } from "./UploadState.ts"

const imageExtensions = new Set([".jpg", ".jpeg", ".png", ".webp", ".gif"])

interface LocalFile {
  readonly path: string
  readonly size: number
  readonly mtimeMs: number
}

/** Files as given; a folder stands for its photos (by extension, not recursive), in name order. */
const expand = (args: ReadonlyArray<string>) =>
  Effect.tryPromise({
    try: async () => {
      const files: Array<LocalFile> = []
      for (const arg of args) {
        const path = resolve(arg)
        const info = await stat(path)
        if (info.isDirectory()) {
          const names = (await readdir(path)).filter((name) => imageExtensions.has(extname(name).toLowerCase())).sort()
          for (const name of names) {
            const child = await stat(join(path, name))
            if (child.isFile()) files.push({ path: join(path, name), size: child.size, mtimeMs: child.mtimeMs })
          }
        } else files.push({ path, size: info.size, mtimeMs: info.mtimeMs })
      }
      return files
    },
    catch: (error) => CliFailure.usage((error as NodeJS.ErrnoException).code === "ENOENT" ? `no such file: ${(error as NodeJS.ErrnoException).path}` : String((error as Error).message))
  })

export const uploadCommand = Command.make("upload", {
  files: Argument.String("files").pipe(
    Argument.withDescription("Photos (.jpg .jpeg .png .webp .gif), or folders of them"),
    Argument.atLeast(1)
  ),
  entity: Flag.String("entity").pipe(Flag.withDescription("The full entity key: shipment_id|sku|reason_code|discrepancy_id")),
  entityType: Flag.String("entity-type").pipe(Flag.withDescription("Entity type"), Flag.withDefault("shipment_item")),
  concurrency: Flag.Int("concurrency").pipe(Flag.withDescription("Files uploaded at once (1-16)"), Flag.withDefault(3)),
  state: Flag.String("state").pipe(
    Flag.withDescription("Resume file recording what is uploaded (default ~/.local/state/media/upload-state.json)"),
    Flag.optional
  ),
  wait: Flag.Boolean("wait").pipe(
    Flag.withDescription("Wait until each uploaded photo is processed; one that fails processing fails the run"),
    Flag.withDefault(false)
  ),
  ...connectionFlags
}, (input) =>
  Effect.gen(function*() {
    const entityType = yield* entityTypeOf(input.entityType)
    const entityId = yield* fullKey(entityType, input.entity)
    if (input.concurrency < 1 || input.concurrency > 16) return yield* CliFailure.usage("--concurrency must be 1 to 16")
    const files = yield* expand(input.files)
    if (files.length === 0) return yield* CliFailure.usage("no photos found in the given folders")
    const media = yield* connect(input)
    const statePath = Option.match(input.state, { onNone: () => defaultStatePath(), onSome: (path) => resolve(path) })
    const state = yield* Effect.tryPromise({ try: () => loadUploadState(statePath), catch: fromUnknown })

    const progress: Array<FileProgress> = files.map((f) => ({ name: basename(f.path), total: f.size, loaded: 0, state: "waiting" }))
    const view = progressView(progress, process.stderr, process.stdout)
    const outcomes = yield* Effect.forEach(files, (file, index) => {
      const done = state.find(file.path, entityId, file.size, file.mtimeMs)
      if (done !== undefined) {
        return Effect.sync(() => {
          view.finish(index, "skipped", `skipped   ${file.path}  ${done}  (already uploaded)`)
          return true
        })
      }
      return call((signal) =>
        media.upload(createReadStream(file.path), {
          entityId,
          entityType,
          fileSize: file.size,
          filename: basename(file.path),
          signal,
          onProgress: (p) => view.progress(index, p.loaded)
        })
      ).pipe(
        Effect.tap((uploaded) =>
          Effect.promise(() =>
            state.record(file.path, {
              file_id: uploaded.file_id,
              entity_id: entityId,
              size: file.size,
              mtime_ms: file.mtimeMs,
              uploaded_at: new Date().toISOString()
            })
          )
        ),
        Effect.flatMap((uploaded) => {
          const line = `uploaded  ${file.path}  ${uploaded.file_id}  ${formatBytes(file.size)}`
          if (!input.wait) return Effect.succeed(line)
          return call((signal) => media.waitUntilReady(uploaded.file_id, { signal, timeout: 600_000 })).pipe(
            Effect.map((ready) => `${line}  ready ${ready.width}x${ready.height}`)
          )
        }),
        Effect.map((line) => {
          view.finish(index, "done", line)
          return true
        }),
        Effect.catch((failure) =>
          Effect.sync(() => {
            view.finish(index, "failed", `failed    ${file.path}  ${failure.message}`)
            return false
          })
        )
      )
    }, { concurrency: input.concurrency })
    view.close()
    const failed = outcomes.filter((ok) => !ok).length
    if (failed > 0) {
      return yield* CliFailure.failure(`${failed} of ${files.length} uploads failed; run the same command again to upload only those`)
    }
  })
).pipe(
  Command.withDescription(
    "Upload photos for one entity. Several at once (--concurrency), a progress bar per file on a terminal, " +
      "one line per file otherwise. Uploaded files are recorded in the --state file, so after a failure the " +
      "same command uploads only what is missing. --wait also waits until each photo is processed."
  )
)
