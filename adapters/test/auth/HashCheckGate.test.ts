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
      // Running checks are uninterruptible: open every gate on the way out, or a failed assertion would hang the scope.
      yield* Effect.addFinalizer(() => Effect.forEach(gates, (g) => Deferred.succeed(g, undefined)))
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
      yield* Effect.addFinalizer(() => Deferred.succeed(open, undefined))
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

  it.effect("a source flooding the queue cannot keep another out: a quieter source takes the busiest one's newest place", () =>
    Effect.gen(function*() {
      const gate = makeHashCheckGate({ maxRunning: 1, maxWaiting: 3 })
      const started: Array<string> = []
      const refused: Array<string> = []
      const open = yield* Deferred.make<void>()
      yield* Effect.addFinalizer(() => Deferred.succeed(open, undefined))
      const submit = (source: string, name: string) =>
        gate.run(Effect.sync(() => started.push(name)).pipe(Effect.andThen(Deferred.await(open))), source).pipe(
          Effect.tapError(() => Effect.sync(() => refused.push(name))),
          Effect.forkChild
        )
      for (let i = 0; i < 10; i++) yield* submit("flooder", `f${i}`)
      yield* settle(() => started.length === 1 && refused.length === 6)
      yield* submit("b", "b0")
      yield* submit("c", "c0")
      // Every waiting source holds one place now: a fourth source is refused.
      yield* submit("d", "d0")
      yield* settle(() => refused.length === 9)
      assert.deepStrictEqual(refused, ["f4", "f5", "f6", "f7", "f8", "f9", "f3", "f2", "d0"])
      assert.deepStrictEqual(gate.load(), { running: 1, waiting: 3 })
      yield* Deferred.succeed(open, undefined)
      yield* settle(() => started.length === 4)
      assert.deepStrictEqual(started, ["f0", "f1", "b0", "c0"])
    }))

  it.effect("waiting checks are served round robin across sources", () =>
    Effect.gen(function*() {
      const gate = makeHashCheckGate({ maxRunning: 1, maxWaiting: 8 })
      const started: Array<string> = []
      const open = yield* Deferred.make<void>()
      yield* Effect.addFinalizer(() => Deferred.succeed(open, undefined))
      const first = yield* gate.run(Deferred.await(open), "a").pipe(Effect.forkChild)
      yield* settle(() => gate.load().running === 1)
      for (const [source, name] of [["a", "a1"], ["a", "a2"], ["a", "a3"], ["b", "b1"], ["b", "b2"], ["c", "c1"]]) {
        yield* gate.run(Effect.sync(() => started.push(name!)), source).pipe(Effect.forkChild)
      }
      yield* settle(() => gate.load().waiting === 6)
      yield* Deferred.succeed(open, undefined)
      yield* Fiber.join(first)
      yield* settle(() => started.length === 6)
      assert.deepStrictEqual(started, ["a1", "b1", "c1", "a2", "b2", "a3"])
    }))
})
