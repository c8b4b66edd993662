/**
 * Admission for slow secret checks (scrypt, issue 8): at most `maxRunning` at
 * once and `maxWaiting` more queued; anything beyond is refused at once, so a
 * flood of unverifiable logins cannot make an admitted check wait behind more
 * than `maxRunning + maxWaiting - 1` others, nor queue unbounded work.
 *
 * Fair between sources (client addresses): waiting checks are served round
 * robin across sources, and when the queue is full an arrival from a source
 * with fewer waiting checks than the busiest source takes the busiest source's
 * newest place (that check is refused instead). One source flooding the gate
 * therefore cannot keep another source's login out.
 */
import { Deferred, Effect, Schema } from "effect"

/** Every running and waiting place is taken (or this check lost its place to a quieter source): it was not run. */
export class HashChecksBusy extends Schema.TaggedError<HashChecksBusy>()("HashChecksBusy", {}) {}

export interface HashCheckGateOptions {
  /** Checks running at once (each holds a libuv thread, ~32 MiB and ~100 ms of a core with the default parameters). */
  readonly maxRunning: number
  /** Checks waiting for a running place. */
  readonly maxWaiting: number
}

export interface HashCheckGate {
  /**
   * Runs `check` once a running place is free, or fails with `HashChecksBusy`
   * (at once when the gate is full, or later if a quieter source takes its
   * waiting place). `source` identifies the client (e.g. its address); one
   * string for all when unknown. A running check is uninterruptible: node
   * cannot cancel scrypt, so its place is held until the thread is done,
   * whatever happened to the request.
   */
  readonly run: <A, E, R>(check: Effect.Effect<A, E, R>, source?: string) => Effect.Effect<A, E | HashChecksBusy, R>
  /** Checks admitted now, running and waiting (for tests and metrics). */
  readonly load: () => { readonly running: number; readonly waiting: number }
}

interface Waiter {
  readonly source: string
  /** Resolved once: true, a running place is now this waiter's; false, it lost its place. */
  readonly turn: Deferred.Deferred<boolean>
  granted: boolean
}

const busy = new HashChecksBusy()

/** A gate with its own counters; cheap to build (no fibers, no scope). */
export const makeHashCheckGate = (options: HashCheckGateOptions): HashCheckGate => {
  const maxRunning = Math.max(1, Math.floor(options.maxRunning))
  const maxWaiting = Math.max(0, Math.floor(options.maxWaiting))
  let running = 0
  let waiting = 0
  // Sources in round-robin order (a Map keeps insertion order), each with its waiters in arrival order.
  const queues = new Map<string, Array<Waiter>>()

  const remove = (waiter: Waiter): boolean => {
    const queue = queues.get(waiter.source)
    const at = queue === undefined ? -1 : queue.indexOf(waiter)
    if (at < 0) return false
    queue!.splice(at, 1)
    if (queue!.length === 0) queues.delete(waiter.source)
    waiting--
    return true
  }

  /** A running place freed: hand it to the next source in turn, which then goes to the back. */
  const release = () => {
    running--
    const next = queues.entries().next()
    if (next.done === true) return
    const [source, queue] = next.value
    const waiter = queue.shift()!
    queues.delete(source)
    if (queue.length > 0) queues.set(source, queue)
    waiting--
    running++
    waiter.granted = true
    Deferred.doneUnsafe(waiter.turn, Effect.succeed(true))
  }

  /** The queue is full: take the busiest source's newest place if `source` has fewer waiting. */
  const displace = (source: string): boolean => {
    let busiest: Array<Waiter> | undefined
    for (const queue of queues.values()) if (busiest === undefined || queue.length > busiest.length) busiest = queue
    if (busiest === undefined || busiest.length <= (queues.get(source)?.length ?? 0) + 1) return false
    const loser = busiest[busiest.length - 1]!
    remove(loser)
    Deferred.doneUnsafe(loser.turn, Effect.succeed(false))
    return true
  }

  const runHeld = <A, E, R>(check: Effect.Effect<A, E, R>) =>
    Effect.ensuring(Effect.uninterruptible(check), Effect.sync(release))

  return {
    run: <A, E, R>(check: Effect.Effect<A, E, R>, source = "") =>
      Effect.suspend((): Effect.Effect<A, E | HashChecksBusy, R> => {
        if (running < maxRunning && waiting === 0) {
          running++
          return runHeld(check)
        }
        if (waiting >= maxWaiting && !displace(source)) return Effect.fail(busy)
        const waiter: Waiter = { source, turn: Deferred.makeUnsafe<boolean>(), granted: false }
        const queue = queues.get(source)
        if (queue === undefined) queues.set(source, [waiter])
        else queue.push(waiter)
        waiting++
        return Effect.uninterruptibleMask((restore) =>
          Effect.flatMap(
            restore(Deferred.await(waiter.turn)).pipe(
              // Interrupted while waiting: leave the queue, or give back a place handed over meanwhile.
              Effect.onInterrupt(() =>
                Effect.sync(() => {
                  if (waiter.granted) release()
                  else remove(waiter)
                })
              )
            ),
            (admitted): Effect.Effect<A, E | HashChecksBusy, R> => (admitted ? runHeld(check) : Effect.fail(busy))
          )
        )
      }),
    load: () => ({ running, waiting })
  }
}
