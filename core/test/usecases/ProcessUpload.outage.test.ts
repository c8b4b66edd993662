/**
 * SPEC §6: an unavailable object store or database is not an attempt. The file
 * waits (capped exponential back-off) with its original kept, and once storage
 * is back it is processed: an outage never turns an acknowledged upload into a failure.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Option } from "effect"
import type { FileRecord } from "../../src/FileRecord.ts"
import type { AccountId, FileId } from "../../src/Ids.ts"
import { defaultMediaConfig } from "../../src/MediaConfig.ts"
import { layerMemory } from "../../src/memory/layerMemory.ts"
import { nowSeconds } from "../../src/nowSeconds.ts"
import { imageKey, thumbnailKey } from "../../src/ObjectKeys.ts"
import { FileRepository, RepositoryError } from "../../src/ports/FileRepository.ts"
import { ObjectStore, StorageError } from "../../src/ports/ObjectStore.ts"
import { freshAccount, png } from "../fixtures.ts"
import { advance, atStart, start, uploaded } from "./helpers.ts"
import { handleObjectCreated, sweepDue } from "./processing.ts"

const { retryDelaySeconds: base, outageBackoffCapSeconds: cap } = defaultMediaConfig

const recordOf = (accountId: AccountId, fileId: FileId) =>
  FileRepository.use((repo) => repo.get(accountId, fileId)).pipe(Effect.map(Option.getOrThrow))
const exists = (key: string) => ObjectStore.use((store) => store.head(key)).pipe(Effect.map(Option.isSome))

type Operation = "get" | "put" | "head" | "delete"

/**
 * The memory store, failing the given operations until `until` (UNIX seconds, from the Clock) as a
 * full disk (ENOSPC on writes) or an S3 outage (everything) would.
 */
const faultyStore = (operations: ReadonlyArray<Operation>, until: number) =>
  Effect.gen(function*() {
    const store = yield* ObjectStore
    const fault = <A>(operation: Operation, key: string, run: Effect.Effect<A, StorageError>) =>
      Effect.flatMap(nowSeconds, (now) =>
        operations.includes(operation) && now < until
          ? Effect.fail(new StorageError({ operation, key, cause: new Error("ENOSPC: no space left on device") }))
          : run)
    return ObjectStore.of({
      presignUpload: store.presignUpload,
      get: (key) => fault("get", key, store.get(key)),
      head: (key) => fault("head", key, store.head(key)),
      put: (key, bytes, type) => fault("put", key, store.put(key, bytes, type)),
      delete: (key) => fault("delete", key, store.delete(key))
    })
  })

describe("ProcessUpload during a storage outage", () => {
  const outages: ReadonlyArray<readonly [string, ReadonlyArray<Operation>, number]> = [
    // The reproduction: storage answered 204, then derivative writes failed for 45 s.
    ["derivative writes fail for 45 s (a full disk)", ["put"], 45],
    ["the object store is down for 3 hours (an S3 outage)", ["get", "put", "head", "delete"], 3 * 3600]
  ]
  it.effect.each(outages)("%s: the file ends ready, no attempt used up, its original kept meanwhile", ([, operations, seconds]) =>
    Effect.gen(function*() {
      yield* atStart
      const account = freshAccount()
      const { key, fileId } = yield* uploaded(account, png(10, 10))
      const faulty = yield* faultyStore(operations, start + seconds)
      const withFaults = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provideService(effect, ObjectStore, faulty)

      assert.strictEqual(yield* withFaults(handleObjectCreated(key, 32)), "uploaded")
      const delays: Array<number> = []
      let record: FileRecord = yield* recordOf(account, fileId)
      // Whoever calls (a duplicate event, the sweeper) while it waits does not cut the wait short.
      assert.strictEqual(yield* withFaults(handleObjectCreated(key, 32)), "uploaded")
      for (let sweep = 0; record.status === "uploaded" && sweep < 100; sweep++) {
        assert.strictEqual(record.attempts, 0, "an outage is not an attempt")
        assert.isTrue(yield* exists(key), "the original is kept while the file waits")
        const now = yield* nowSeconds
        delays.push(record.dueAt! - now)
        yield* advance(record.dueAt! - now)
        yield* withFaults(sweepDue())
        record = yield* recordOf(account, fileId)
      }
      assert.strictEqual(record.status, "ready")
      assert.strictEqual(record.attempts, 1)
      assert.isFalse(yield* exists(key), "once ready, the original goes")
      // Back-off: starts at the base delay, doubles, never exceeds the cap, and the wait covered the outage.
      assert.strictEqual(delays[0], base)
      for (let i = 1; i < delays.length; i++) assert.strictEqual(delays[i], Math.min(cap, delays[i - 1]! * 2), `delay ${i}`)
      assert.isAtLeast(delays.reduce((a, b) => a + b, 0), seconds)
      if (seconds > cap) assert.deepStrictEqual(delays.slice(0, 9), [15, 30, 60, 120, 240, 480, 960, 1_800, 1_800])
    }).pipe(Effect.provide(layerMemory())))

  it.effect("image work failures still count: an outage in between does not reset nor spend the 3 attempts", () =>
    Effect.gen(function*() {
      yield* atStart
      const account = freshAccount()
      const { key, fileId } = yield* uploaded(account, png(10, 10))
      const faulty = yield* faultyStore(["put"], start + 10 * 60)
      // The codec crashes once (attempt 1), then the disk is full for 10 minutes, then it works.
      yield* Effect.gen(function*() {
        assert.strictEqual(yield* handleObjectCreated(key, 32), "uploaded")
        assert.strictEqual((yield* recordOf(account, fileId)).attempts, 1)
        for (let i = 0; i < 50 && (yield* recordOf(account, fileId)).status === "uploaded"; i++) {
          const record = yield* recordOf(account, fileId)
          yield* advance(Math.max(1, record.dueAt! - (yield* nowSeconds)))
          yield* sweepDue()
          assert.isAtMost((yield* recordOf(account, fileId)).attempts, 2)
        }
      }).pipe(Effect.provideService(ObjectStore, faulty))
      const record = yield* recordOf(account, fileId)
      assert.strictEqual(record.status, "ready")
      assert.strictEqual(record.attempts, 2, "the crash counted, the outage did not")
    }).pipe(Effect.provide(layerMemory({ transientFailures: 1 }))))

  it.effect("a database that fails to record the outcome for a few seconds does not cost the attempt", () =>
    Effect.gen(function*() {
      yield* atStart
      const account = freshAccount()
      const { key, fileId } = yield* uploaded(account, png(10, 10))
      const repo = yield* FileRepository
      let refusals = 2
      const flaky = FileRepository.of({
        ...repo,
        transition: (next, expected) =>
          next.status === "ready" && refusals-- > 0
            ? Effect.fail(new RepositoryError({ operation: "transition", cause: new Error("ProvisionedThroughputExceeded") }))
            : repo.transition(next, expected)
      })
      const fiber = yield* Effect.forkChild(handleObjectCreated(key, 32).pipe(Effect.provideService(FileRepository, flaky)))
      yield* advance(10)
      assert.strictEqual(yield* Fiber.join(fiber), "ready")
      const record = yield* recordOf(account, fileId)
      assert.strictEqual(record.attempts, 1)
      assert.isFalse(yield* exists(key))
    }).pipe(Effect.provide(layerMemory())))

  it.effect("a write that succeeded but whose answer was lost is not undone by the retry", () =>
    Effect.gen(function*() {
      yield* atStart
      const account = freshAccount()
      const { key, fileId } = yield* uploaded(account, png(10, 10))
      const repo = yield* FileRepository
      let lost = 1
      // The database applies the write, then the connection drops before it answers (a timeout).
      const ambiguous = FileRepository.of({
        ...repo,
        transition: (next, expected) =>
          repo.transition(next, expected).pipe(Effect.andThen(
            next.status === "ready" && lost-- > 0
              ? Effect.fail(new RepositoryError({ operation: "transition", cause: new Error("socket hang up") }))
              : Effect.void
          ))
      })
      const fiber = yield* Effect.forkChild(handleObjectCreated(key, 32).pipe(Effect.provideService(FileRepository, ambiguous)))
      yield* advance(10)
      assert.strictEqual(yield* Fiber.join(fiber), "ready")
      const record = yield* recordOf(account, fileId)
      assert.deepStrictEqual([record.status, record.attempts], ["ready", 1])
      assert.isTrue(yield* exists(imageKey(account, fileId, 1)), "the served image stays")
      assert.isTrue(yield* exists(thumbnailKey(account, fileId, 1)), "the served thumbnail stays")
      assert.isFalse(yield* exists(key))
    }).pipe(Effect.provide(layerMemory())))

  it.effect("one file's store failure does not cut the sweep short for the others", () =>
    Effect.gen(function*() {
      yield* atStart
      const account = freshAccount()
      const broken = yield* uploaded(account, png(10, 10), "S1|K|R|D1")
      const fine = yield* uploaded(account, png(10, 10), "S1|K|R|D2")
      const store = yield* ObjectStore
      // Reads of one original fail (a bad disk sector, a throttled prefix).
      const partial = ObjectStore.of({
        ...store,
        head: (key) =>
          key === broken.key ? Effect.fail(new StorageError({ operation: "head", key, cause: new Error("EIO") })) : store.head(key)
      })
      yield* advance(defaultMediaConfig.uploadUrlTtlSeconds + defaultMediaConfig.uploadGraceSeconds)
      const swept = yield* sweepDue().pipe(Effect.provideService(ObjectStore, partial))
      assert.deepStrictEqual(
        swept.map(([r, result]) => [r.fileId, result]).sort(),
        [[broken.fileId, "unavailable"], [fine.fileId, "ready"]].sort()
      )
      assert.strictEqual((yield* recordOf(account, broken.fileId)).status, "uploading", "it stays due for the next sweep")
    }).pipe(Effect.provide(layerMemory())))
})
