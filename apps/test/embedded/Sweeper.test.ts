/**
 * The embedded sweeper loop runs its housekeeping alongside the sweep: here the
 * removal of dead uploads' temp files (an aged temp goes, a fresh one stays).
 */
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Layer } from "effect"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { removeDeadTemps } from "@media-object-storage/adapters/disk/DiskObjectStore"
import { layerMemory } from "@media-object-storage/core/memory/layerMemory"
import { Processing } from "@media-object-storage/core/usecases/Processing"
import * as Sweeper from "../../src/embedded/Sweeper.ts"

describe("Sweeper", () => {
  it.live("removes a dead upload's aged temp file in its housekeeping, and leaves a live one", () =>
    Effect.gen(function*() {
      const root = yield* Effect.acquireRelease(
        Effect.sync(() => mkdtempSync(join(tmpdir(), "media-sweeper-"))),
        (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
      )
      const dir = join(root, "originals", "10020")
      mkdirSync(dir, { recursive: true })
      const dead = join(dir, ".0b7c3a52-dead.k2j4h5.tmp")
      const live = join(dir, ".5f1e2d3c-live.x9y8z7.tmp")
      writeFileSync(dead, new Uint8Array(128))
      writeFileSync(live, new Uint8Array(128))
      const anHourAgo = new Date(Date.now() - 3600_000)
      utimesSync(dead, anHourAgo, anHourAgo)

      const chore: Sweeper.Housekeeping = {
        name: "removing dead uploads' temp files",
        everySeconds: 1,
        run: removeDeadTemps(root, { under: ["originals"], idleFor: Duration.minutes(15) }).pipe(
          Effect.provide(NodeFileSystem.layer)
        )
      }
      yield* Layer.build(Sweeper.layer(1, [chore]).pipe(Layer.provide(Processing.layer), Layer.provide(layerMemory())))
      // Bounded: the first round runs at once; allow a few.
      for (let poll = 0; poll < 50 && existsSync(dead); poll++) yield* Effect.sleep(Duration.millis(100))
      assert.isFalse(existsSync(dead), "the aged temp file is still there")
      assert.isTrue(existsSync(live), "a live upload's temp file was removed")
    }).pipe(Effect.scoped))
})
