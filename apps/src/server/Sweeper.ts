/**
 * Runs the sweeper (SweepDue) on a fixed interval for the life of the server:
 * expired uploads fail, lost events and crashed attempts are driven again.
 * Embedded mode only; on AWS a scheduled Lambda runs the same use case.
 */
import { Cause, Effect, Layer, Schedule } from "effect"
import { sweepDue } from "@media/core/usecases/SweepDue"

export const layer = (intervalSeconds: number) =>
  Layer.effectDiscard(
    sweepDue({ concurrency: 2 }).pipe(
      Effect.tap((swept) => swept.length > 0 ? Effect.logInfo("sweeper moved files on", { count: swept.length }) : Effect.void),
      Effect.catchCause((cause) => Effect.logError("sweep failed; retrying next round", { cause: Cause.pretty(cause) })),
      Effect.repeat(Schedule.spaced(`${intervalSeconds} seconds`)),
      Effect.forkScoped
    )
  )
