/**
 * Runs the sweeper (SweepDue) on a fixed interval for the life of the server:
 * expired uploads fail, lost events and crashed attempts are driven again.
 * Embedded mode only; on AWS a scheduled Lambda runs the same use case.
 */
import { Cause, Effect, Layer, Schedule } from "effect"
import { Processing } from "@media-object-storage/core/usecases/Processing"

export interface Housekeeping {
  /** Runs every `everySeconds` (rounded up to whole sweeps), after the sweep of that round. */
  readonly everySeconds: number
  /** E.g. removing the temp files of dead uploads; a failure is logged and retried next time. */
  readonly run: Effect.Effect<unknown, unknown>
  /** For the log line. */
  readonly name: string
}

const sweepOnce = Processing.use((processing) => processing.sweep({ concurrency: 2 })).pipe(
  Effect.tap((swept) => swept.length > 0 ? Effect.logInfo("sweeper moved files on", { count: swept.length }) : Effect.void),
  Effect.catchCause((cause) => Effect.logError("sweep failed; retrying next round", { cause: Cause.pretty(cause) }))
)

/** The sweeper every `intervalSeconds`, plus any housekeeping on its own (slower) cadence. */
export const layer = (intervalSeconds: number, housekeeping: ReadonlyArray<Housekeeping> = []) =>
  Layer.effectDiscard(Effect.gen(function*() {
    let round = 0
    const chores = Effect.forEach(housekeeping, (chore) => {
      const every = Math.max(1, Math.ceil(chore.everySeconds / intervalSeconds))
      if (round % every !== 0) return Effect.void
      return chore.run.pipe(
        Effect.catchCause((cause) => Effect.logError(`${chore.name} failed; retrying later`, { cause: Cause.pretty(cause) }))
      )
    }, { discard: true })
    yield* sweepOnce.pipe(
      Effect.andThen(chores),
      Effect.andThen(Effect.sync(() => void round++)),
      Effect.repeat(Schedule.spaced(`${intervalSeconds} seconds`)),
      Effect.forkScoped
    )
  }))
