/**
 * SPEC §6 attempts, on the memory layers with the test clock: a processor that
 * fails every time ends `failed`/`processing_error` after exactly 3 attempts,
 * one that never returns is retried by the sweeper until then, and an attempt
 * that died after storing its derivatives leaves none behind once the file is final.
 */
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Option } from "effect"
import { TestClock } from "effect/testing"
import type { AccountId, FileId } from "@media-object-storage/core/Ids"
import { defaultMediaConfig } from "@media-object-storage/core/MediaConfig"
import { layerMemory } from "@media-object-storage/core/memory/layerMemory"
import { makeMemoryImageProcessor } from "@media-object-storage/core/memory/MemoryImageProcessor"
import { FileRepository } from "@media-object-storage/core/ports/FileRepository"
import { ImageProcessor } from "@media-object-storage/core/ports/ImageProcessor"
import { ObjectStore } from "@media-object-storage/core/ports/ObjectStore"
import { imageKey, thumbnailKey } from "@media-object-storage/core/ObjectKeys"
import { allObjectKeys } from "@media-object-storage/core/usecases/DeleteFile"
import { freshAccount, pngHeader, uploadedFile } from "./support/files.ts"
import { driveFile, sweepDue } from "../../core/test/usecases/processing.ts"

describe("a processor that fails every time", () => {
  const oneFile = Effect.gen(function*() {
    yield* TestClock.adjust(Duration.seconds(1_700_000_000))
    const account = freshAccount()
    return { account, file: yield* uploadedFile(account, pngHeader(10, 10)) }
  })
  const record = (account: AccountId, fileId: FileId) =>
    FileRepository.use((repo) => repo.get(account, fileId)).pipe(Effect.map(Option.getOrThrow))
  const leftovers = (account: AccountId, fileId: FileId) =>
    ObjectStore.use((store) =>
      Effect.map(Effect.forEach(allObjectKeys(account, fileId), (k) => Effect.map(store.head(k), Option.map(() => k))), (all) =>
        all.flatMap(Option.toArray)))

  it.effect("fails processing_error after exactly 3 attempts, keeping no object", () =>
    Effect.gen(function*() {
      const { account, file } = yield* oneFile
      let calls = 0
      const inner = yield* makeMemoryImageProcessor({ transientFailures: 99 })
      const counting = ImageProcessor.of({ process: (b, o) => Effect.suspend(() => { calls++; return inner.process(b, o) }) })
      const drive = driveFile(account, file.fileId, file.size).pipe(Effect.provideService(ImageProcessor, counting))
      // Attempt 1 fails and the file waits for its retry; the sweeper runs attempts 2 and 3 when due.
      assert.strictEqual(yield* drive, "uploaded")
      for (let retry = 0; retry < 2; retry++) {
        yield* TestClock.adjust(Duration.minutes(2))
        yield* sweepDue().pipe(Effect.provideService(ImageProcessor, counting))
      }
      assert.strictEqual(yield* drive, "failed")
      // The sweeper and duplicates later find nothing more to do.
      yield* TestClock.adjust(Duration.hours(2))
      yield* sweepDue().pipe(Effect.provideService(ImageProcessor, counting))
      assert.strictEqual(yield* drive, "failed")
      const final = yield* record(account, file.fileId)
      assert.strictEqual(final.failureReason, "processing_error")
      assert.strictEqual(final.attempts, 3)
      assert.strictEqual(calls, 3)
      assert.deepStrictEqual(yield* leftovers(account, file.fileId), [])
    }).pipe(Effect.provide(layerMemory())))

  it.effect("an attempt that crashes every time (never returns) is retried by the sweeper until it fails after 3", () =>
    Effect.gen(function*() {
      const { account, file } = yield* oneFile
      let calls = 0
      const hanging = ImageProcessor.of({ process: () => Effect.suspend(() => { calls++; return Effect.never }) })
      const untilProcessing = (attempt: number) =>
        Effect.gen(function*() {
          for (let i = 0; i < 1000; i++) {
            const now = yield* record(account, file.fileId)
            if (now.status === "processing" && now.attempts === attempt) return
            yield* Effect.yieldNow
          }
          assert.fail(`attempt ${attempt} never started`)
        })
      /** Runs `work` until the file is processing, then "crashes" it (interrupts it mid-attempt). */
      const crashDuring = <A, E, R>(attempt: number, work: Effect.Effect<A, E, R>) =>
        Effect.gen(function*() {
          const fiber = yield* Effect.forkChild(work.pipe(Effect.provideService(ImageProcessor, hanging)))
          yield* untilProcessing(attempt)
          yield* Fiber.interrupt(fiber)
        })
      yield* crashDuring(1, driveFile(account, file.fileId, file.size))
      for (let attempt = 2; attempt <= 3; attempt++) {
        yield* TestClock.adjust(Duration.seconds(defaultMediaConfig.leaseSeconds + 1))
        yield* crashDuring(attempt, sweepDue())
        assert.strictEqual((yield* record(account, file.fileId)).attempts, attempt)
      }
      yield* TestClock.adjust(Duration.seconds(defaultMediaConfig.leaseSeconds + 1))
      yield* sweepDue().pipe(Effect.provideService(ImageProcessor, hanging))
      const final = yield* record(account, file.fileId)
      assert.strictEqual(final.status, "failed")
      assert.strictEqual(final.failureReason, "processing_error")
      assert.strictEqual(final.attempts, 3)
      assert.strictEqual(calls, 3)
      assert.deepStrictEqual(yield* leftovers(account, file.fileId), [])
    }).pipe(Effect.provide(layerMemory())))
})

describe("a crash after an attempt stored its derivatives", () => {
  it.effect("the winning attempt's derivatives are the only ones left (the crashed attempt's are not orphaned)", () =>
    Effect.gen(function*() {
      yield* TestClock.adjust(Duration.seconds(1_700_000_000))
      const account = freshAccount()
      const file = yield* uploadedFile(account, pngHeader(10, 10))
      const store = yield* ObjectStore
      // Attempt 1 writes its image and thumbnail, then the process dies before recording the outcome.
      const dying = ObjectStore.of({
        ...store,
        put: (key, bytes, type) =>
          store.put(key, bytes, type).pipe(Effect.andThen(key.startsWith("thumbnails/") && key.endsWith("/1.jpg") ? Effect.never : Effect.void))
      })
      const fiber = yield* Effect.forkChild(driveFile(account, file.fileId, file.size).pipe(Effect.provideService(ObjectStore, dying)))
      for (let i = 0; i < 1000 && Option.isNone(yield* store.head(thumbnailKey(account, file.fileId, 1))); i++) yield* Effect.yieldNow
      yield* Fiber.interrupt(fiber)
      // After the lease, the sweeper retries and attempt 2 wins.
      yield* TestClock.adjust(Duration.seconds(defaultMediaConfig.leaseSeconds + 1))
      yield* sweepDue()
      const final = yield* FileRepository.use((repo) => repo.get(account, file.fileId)).pipe(Effect.map(Option.getOrThrow))
      assert.strictEqual(final.status, "ready")
      assert.strictEqual(final.attempts, 2)
      const present = yield* Effect.forEach(allObjectKeys(account, file.fileId), (k) => Effect.map(store.head(k), Option.map(() => k)))
      assert.deepStrictEqual(
        present.flatMap(Option.toArray).sort(),
        [imageKey(account, file.fileId, 2), thumbnailKey(account, file.fileId, 2)].sort()
      )
    }).pipe(Effect.provide(layerMemory())))
})
