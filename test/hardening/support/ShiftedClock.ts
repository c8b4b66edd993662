/**
 * The live clock plus an offset the test can jump forward: attempts really
 * sleep and interleave, while leases and due times can expire on demand.
 */
import { Clock, Context, type Duration, Effect } from "effect"

export class TimeJump extends Context.Service<TimeJump, {
  /** Moves "now" forward by `seconds` for everything reading the Clock. */
  jump(seconds: number): Effect.Effect<void>
}>()("test/hardening/TimeJump") {}

const make = (live: Clock.Clock) => {
  let offsetMs = 0
  const millis = () => live.currentTimeMillisUnsafe() + offsetMs
  const nanos = () => live.currentTimeNanosUnsafe() + BigInt(offsetMs) * 1_000_000n
  const clock: Clock.Clock = {
    currentTimeMillisUnsafe: millis,
    currentTimeMillis: Effect.sync(millis),
    currentTimeNanosUnsafe: nanos,
    currentTimeNanos: Effect.sync(nanos),
    monotonicTimeNanosUnsafe: () => live.monotonicTimeNanosUnsafe(),
    monotonicTimeNanos: live.monotonicTimeNanos,
    sleep: (duration: Duration.Duration) => live.sleep(duration)
  }
  const jump = (seconds: number) => Effect.sync(() => { offsetMs += seconds * 1000 })
  return { clock, jump }
}

/** Runs `effect` on a shifted live clock, giving it TimeJump. */
export const withShiftedClock = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const live = yield* Clock.Clock
    const { clock, jump } = make(live)
    return yield* effect.pipe(
      Effect.provideService(TimeJump, TimeJump.of({ jump })),
      Effect.provideService(Clock.Clock, clock)
    )
  })

