/**
 * Admission for slow secret checks (scrypt, issue 8): at most `maxRunning` at
 * once, at most `maxWaiting` more queued in arrival order, anything beyond
 * refused at once. So a flood of unverifiable logins cannot make an admitted
 * check wait behind more than `maxRunning + maxWaiting - 1` others.
 */
import { Effect, Schema, Semaphore } from "effect"

/** Every running and waiting place is taken: the check was not run (nor queued). */
export class HashChecksBusy extends Schema.TaggedError<HashChecksBusy>()("HashChecksBusy", {}) {}

export interface HashCheckGateOptions {
  /** Checks running at once (each holds a libuv thread, ~32 MiB and ~100 ms of a core with the default parameters). */
  readonly maxRunning: number
  /** Checks waiting for a running place, first come first served. */
  readonly maxWaiting: number
}

export interface HashCheckGate {
  /**
   * Runs `check` once a running place is free, or fails with `HashChecksBusy`
   * at once when `maxRunning + maxWaiting` checks are already admitted. A
   * running check is uninterruptible: node cannot cancel scrypt, so its place
   * is held until the thread is done, whatever happened to the request.
   */
  readonly run: <A, E, R>(check: Effect.Effect<A, E, R>) => Effect.Effect<A, E | HashChecksBusy, R>
  /** Checks admitted now, running and waiting (for tests and metrics). */
  readonly load: () => { readonly running: number; readonly waiting: number }
}

const busy = new HashChecksBusy()

/** A gate with its own counters; cheap to build (no fibers, no scope). */
export const makeHashCheckGate = (options: HashCheckGateOptions): HashCheckGate => {
  const maxRunning = Math.max(1, Math.floor(options.maxRunning))
  const capacity = maxRunning + Math.max(0, Math.floor(options.maxWaiting))
  // Semaphore waiters are served in arrival order (a Set of waiters, one permit each).
  const permits = Semaphore.makeUnsafe(maxRunning)
  let admitted = 0
  let running = 0
  const release = Effect.sync(() => {
    admitted--
  })
  const stop = Effect.sync(() => {
    running--
  })
  return {
    run: <A, E, R>(check: Effect.Effect<A, E, R>) =>
      Effect.suspend((): Effect.Effect<A, E | HashChecksBusy, R> => {
        if (admitted >= capacity) return Effect.fail(busy)
        admitted++
        const held = Effect.uninterruptible(Effect.suspend(() => {
          running++
          return Effect.ensuring(check, stop)
        }))
        return Effect.ensuring(Semaphore.withPermit(permits, held), release)
      }),
    load: () => ({ running, waiting: admitted - running })
  }
}
