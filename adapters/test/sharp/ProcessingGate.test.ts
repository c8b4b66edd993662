import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber } from "effect"
import * as ProcessingGate from "../../src/sharp/ProcessingGate.ts"

// Semaphore wake-ups go through the scheduler: let every runnable fiber move before looking.
const settle = Effect.forEach(Array.from({ length: 50 }), () => Effect.yieldNow, { discard: true })

/** A job that records its start and then holds its share until `release` opens. */
const heldJob = (gate: ProcessingGate.ProcessingGate, bytes: number, release: Deferred.Deferred<void>, log: Array<string>, name: string) =>
  gate.run(bytes)(Effect.sync(() => log.push(name)).pipe(Effect.andThen(Deferred.await(release)), Effect.as(name)))

describe("ProcessingGate", () => {
  it.effect("never more than maxImages in flight, however many callers", () =>
    Effect.gen(function*() {
      const gate = yield* ProcessingGate.make({ maxImages: 2, budgetBytes: 1_000 })
      const release = yield* Deferred.make<void>()
      const log: Array<string> = []
      // Two groups of callers, as the dispatcher's workers and the sweeper would call one processor.
      const fibers = yield* Effect.forEach(
        ["d1", "d2", "d3", "d4", "s1", "s2", "s3", "s4"],
        (name) => Effect.forkChild(heldJob(gate, 10, release, log, name))
      )
      yield* settle
      assert.strictEqual(log.length, 2)
      assert.deepStrictEqual(yield* gate.stats, { images: 2, bytes: 20, peakImages: 2, peakBytes: 20 })
      yield* Deferred.succeed(release, undefined)
      assert.strictEqual((yield* Fiber.joinAll(fibers)).length, 8)
      assert.strictEqual(log.length, 8)
      assert.deepStrictEqual(yield* gate.stats, { images: 0, bytes: 0, peakImages: 2, peakBytes: 20 })
    }))

  it.effect("the budget serializes large jobs: two of 60% never overlap, two of 40% do", () =>
    Effect.gen(function*() {
      for (const [share, together] of [[60, 1], [40, 2]] as const) {
        const gate = yield* ProcessingGate.make({ maxImages: 2, budgetBytes: 100 })
        const release = yield* Deferred.make<void>()
        const log: Array<string> = []
        const fibers = yield* Effect.forEach(["a", "b"], (n) => Effect.forkChild(heldJob(gate, share, release, log, n)))
        yield* settle
        const now = yield* gate.stats
        assert.deepStrictEqual([now.images, now.bytes], [together, together * share], `${share}%`)
        yield* Deferred.succeed(release, undefined)
        yield* Fiber.joinAll(fibers)
        const after = yield* gate.stats
        assert.deepStrictEqual([after.peakImages, after.images], [together, 0])
        assert.isAtMost(after.peakBytes, 100)
      }
    }))

  it.effect("a job larger than the whole budget still runs, alone, charged the whole budget", () =>
    Effect.gen(function*() {
      const gate = yield* ProcessingGate.make({ maxImages: 2, budgetBytes: 100 })
      const release = yield* Deferred.make<void>()
      const log: Array<string> = []
      const big = yield* Effect.forkChild(heldJob(gate, 5_000, release, log, "big"))
      const small = yield* Effect.forkChild(heldJob(gate, 1, release, log, "small"))
      yield* settle
      assert.deepStrictEqual(log, ["big"])
      assert.deepStrictEqual(yield* gate.stats, { images: 1, bytes: 100, peakImages: 1, peakBytes: 100 })
      yield* Deferred.succeed(release, undefined)
      assert.deepStrictEqual(yield* Fiber.joinAll([big, small]), ["big", "small"])
    }))

  it.effect("a waiting large job is not overtaken by later small ones that would fit", () =>
    Effect.gen(function*() {
      // Three slots, so only the budget stands between c and running.
      const gate = yield* ProcessingGate.make({ maxImages: 3, budgetBytes: 100 })
      const [releaseA, releaseRest] = [yield* Deferred.make<void>(), yield* Deferred.make<void>()]
      const log: Array<string> = []
      const a = yield* Effect.forkChild(heldJob(gate, 50, releaseA, log, "a"))
      yield* settle
      const b = yield* Effect.forkChild(heldJob(gate, 80, releaseRest, log, "b"))
      yield* settle
      const c = yield* Effect.forkChild(heldJob(gate, 10, releaseRest, log, "c"))
      yield* settle
      // c fits next to a (60 of 100), but b is first in line.
      assert.deepStrictEqual(log, ["a"])
      yield* Deferred.succeed(releaseA, undefined)
      yield* settle
      assert.deepStrictEqual(log, ["a", "b", "c"])
      assert.deepStrictEqual((yield* gate.stats).bytes, 90)
      yield* Deferred.succeed(releaseRest, undefined)
      yield* Fiber.joinAll([a, b, c])
    }))

  it.effect("an interrupted waiter leaves the queue; an interrupted runner keeps its share until its work ends", () =>
    Effect.gen(function*() {
      const gate = yield* ProcessingGate.make({ maxImages: 1, budgetBytes: 100 })
      const release = yield* Deferred.make<void>()
      const log: Array<string> = []
      const running = yield* Effect.forkChild(heldJob(gate, 30, release, log, "running"))
      yield* settle
      const waiting = yield* Effect.forkChild(heldJob(gate, 30, release, log, "waiting"))
      yield* settle
      yield* Fiber.interrupt(waiting)
      // The caller returns at once although its work is still held up: libvips would still be running.
      yield* Fiber.interrupt(running)
      assert.isTrue(Exit.hasInterrupts(yield* Fiber.await(running)))
      yield* settle
      assert.deepStrictEqual(yield* gate.stats, { images: 1, bytes: 30, peakImages: 1, peakBytes: 30 })
      yield* Deferred.succeed(release, undefined)
      yield* settle
      assert.deepStrictEqual(yield* gate.stats, { images: 0, bytes: 0, peakImages: 1, peakBytes: 30 })
      assert.deepStrictEqual(log, ["running"], "the interrupted waiter never started")
    }))
})
