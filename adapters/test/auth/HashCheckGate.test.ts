import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber } from "effect"
import { makeHashCheckGate } from "../../src/auth/HashCheckGate.ts"

/** Lets forked fibers run until `done()` holds; fails (no clock involved) if they never get there. */
const settle = (done: () => boolean) =>
  Effect.gen(function*() {
    for (let i = 0; i < 10_000 && !done(); i++) yield* Effect.yieldNow
    assert.isTrue(done(), "fibers never reached the expected state")
  })

describe("HashCheckGate", () => {
  it.effect("runs at most maxRunning checks, queues maxWaiting in arrival order and refuses the rest at once", () =>
    Effect.gen(function*() {
      const gate = makeHashCheckGate({ maxRunning: 2, maxWaiting: 3 })
      const started: Array<number> = []
      const refused: Array<number> = []
      let peak = 0
      const gates = yield* Effect.forEach(Array.from({ length: 10 }, (_, i) => i), () => Deferred.make<void>())
      const fibers = yield* Effect.forEach(gates, (open, i) =>
        gate.run(Effect.gen(function*() {
          started.push(i)
          peak = Math.max(peak, gate.load().running)
          yield* Deferred.await(open)
          return i
        })).pipe(Effect.tapError(() => Effect.sync(() => refused.push(i))), Effect.forkChild))

      yield* settle(() => started.length === 2 && refused.length === 5)
      assert.deepStrictEqual(started, [0, 1])
      assert.deepStrictEqual(refused, [5, 6, 7, 8, 9])
      assert.deepStrictEqual(gate.load(), { running: 2, waiting: 3 })

      for (let i = 0; i < 5; i++) {
        yield* Deferred.succeed(gates[i]!, undefined)
        assert.strictEqual(yield* Fiber.join(fibers[i]!), i)
        yield* settle(() => started.length === Math.min(5, i + 3))
      }
      assert.deepStrictEqual(started, [0, 1, 2, 3, 4])
      assert.strictEqual(peak, 2)
      assert.deepStrictEqual(gate.load(), { running: 0, waiting: 0 })
      for (const i of refused) {
        const exit = yield* Fiber.await(fibers[i]!)
        assert.isTrue(Exit.isFailure(exit) && Exit.findErrorOption(exit).pipe((e) => e._tag === "Some" && e.value._tag === "HashChecksBusy"))
      }
      // Places freed: admitted again.
      assert.strictEqual(yield* gate.run(Effect.succeed("again")), "again")
    }))

  it.effect("an interrupted waiter gives its place back; an interrupted running check keeps its place until it ends", () =>
    Effect.gen(function*() {
      const gate = makeHashCheckGate({ maxRunning: 1, maxWaiting: 1 })
      const open = yield* Deferred.make<void>()
      let finished = false
      const running = yield* gate.run(Deferred.await(open).pipe(Effect.tap(() => Effect.sync(() => { finished = true })))).pipe(Effect.forkChild)
      const waiting = yield* gate.run(Effect.void).pipe(Effect.forkChild)
      yield* settle(() => gate.load().running === 1 && gate.load().waiting === 1)

      yield* Fiber.interrupt(waiting)
      assert.deepStrictEqual(gate.load(), { running: 1, waiting: 0 })

      // node cannot cancel a scrypt in flight: the place stays taken until the check is done.
      const interrupting = yield* Fiber.interrupt(running).pipe(Effect.forkChild)
      yield* Effect.yieldNow
      assert.deepStrictEqual(gate.load(), { running: 1, waiting: 0 })
      assert.isFalse(finished)
      yield* Deferred.succeed(open, undefined)
      yield* Fiber.join(interrupting)
      assert.isTrue(finished)
      assert.deepStrictEqual(gate.load(), { running: 0, waiting: 0 })
    }))
})
