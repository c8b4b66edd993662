/**
 * Run by writeIntents.test.ts as a child process: `node killMidWrite.ts <dir> <transition|create> <intents|none>`.
 * Opens the store at `<dir>`, writes file 1 (`dueAt` 100), then does the write named, and SIGKILLs
 * itself exactly between dynalite's index writes and its item write: the moment a kill tears them.
 */
import { FileRepository } from "@media-object-storage/core/ports/FileRepository"
import { Effect, Layer } from "effect"
import { createRequire } from "node:module"
import { layerDynalite } from "../../src/dynamodb/DynaliteFileRepository.ts"
import { record } from "./fixtures.ts"

const [path, write, intents] = process.argv.slice(2)

// dynalite's own LevelDB class: its item writes (`item-<table>~…`) come after the index writes.
const { Level } = createRequire(createRequire(import.meta.url).resolve("dynalite"))("level") as {
  Level: { prototype: { _put: (key: string, ...rest: Array<unknown>) => Promise<void> } }
}
let armed = false
const put = Level.prototype._put
Level.prototype._put = function(key, ...rest) {
  if (armed && key.startsWith("item-media~")) process.kill(process.pid, "SIGKILL")
  return put.call(this, key, ...rest)
}

const first = record(1, { dueAt: 100 })
const program = Effect.gen(function*() {
  const repo = yield* FileRepository
  yield* repo.create(first)
  armed = true
  if (write === "transition") yield* repo.transition({ ...first, status: "uploaded", dueAt: 900, version: 1 }, 0)
  else yield* repo.create(record(2, { dueAt: 300 }))
  // Never reached: the kill comes first.
  process.exit(3)
})

Effect.runPromise(program.pipe(Effect.provide(Layer.fresh(layerDynalite({ path: path!, writeIntents: intents === "intents" })))))
