/**
 * The embedded metadata store on a disk that fills up and frees again (a small
 * tmpfs; the tests need root, as CI has): requests fail, the process does not,
 * and no write acknowledged before or after the episode is lost at a restart.
 */
import { assert, describe, it } from "@effect/vitest"
import { type FileRecord } from "@media-object-storage/core/FileRecord"
import { FileRepository } from "@media-object-storage/core/ports/FileRepository"
import { Context, Effect, Exit, Layer, Option } from "effect"
import { rmSync } from "node:fs"
import { join } from "node:path"
import { fillUp, tmpfs } from "../../../test/support/tmpfs.ts"
import { layerDynalite } from "../../src/dynamodb/DynaliteFileRepository.ts"
import { accountA, record } from "./fixtures.ts"

/** The repository over the store at `path`, for the life of the current scope. */
const openRepository = (path: string) =>
  Effect.map(Layer.build(layerDynalite({ path })), (context) => Context.get(context, FileRepository))

const isStored = (repo: FileRepository["Service"], r: FileRecord) =>
  Effect.map(repo.get(accountA, r.fileId), Option.isSome)

describe("dynalite on a full disk", () => {
  it.live("fails writes as RepositoryError without ending the process, recovers once space returns, keeps every acknowledged write", () =>
    Effect.gen(function*() {
      const dir = yield* tmpfs(4 * 1024 * 1024)
      const path = join(dir, "metadata")
      const acknowledged: Array<FileRecord> = []
      let failure: unknown
      yield* Effect.scoped(Effect.gen(function*() {
        const repo = yield* openRepository(path)
        const before = record(1)
        yield* repo.create(before)
        acknowledged.push(before)
        const filler = fillUp(dir)
        // LevelDB buffers its log (64 KB): writes go on succeeding until a flush meets the full disk.
        for (let n = 2; n < 1000 && failure === undefined; n++) {
          const exit = yield* Effect.exit(repo.create(record(n)))
          if (Exit.isSuccess(exit)) acknowledged.push(record(n))
          else failure = exit.cause
        }
        assert.isDefined(failure, "no write failed on a full disk")
        assert.include(String(failure), "RepositoryError")
        // Reads go on while the disk is full.
        assert.isTrue(yield* isStored(repo, before))
        rmSync(filler)
        const after = record(5000)
        yield* repo.create(after)
        acknowledged.push(after)
        assert.isTrue(yield* isStored(repo, after))
      }))
      // A restart reads back every write that was acknowledged, before, during and after the episode.
      yield* Effect.scoped(Effect.gen(function*() {
        const repo = yield* openRepository(path)
        const lost = []
        for (const r of acknowledged) if (!(yield* isStored(repo, r))) lost.push(r.fileId)
        assert.deepStrictEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged records lost`)
      }))
    }).pipe(Effect.scoped), 60_000)
})
