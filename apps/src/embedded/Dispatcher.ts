/**
 * In-process dispatch of files to the processing workflow (embedded mode),
 * with bounded concurrency. A job in flight runs to its end on shutdown;
 * queued jobs are picked up on the next start by the sweeper, since their files
 * stay `uploaded` with a due time.
 */
import { Cause, Context, Effect, Layer, Queue } from "effect"
import type { AccountId, FileId } from "@media-object-storage/core/Ids"
import { Processing } from "@media-object-storage/core/usecases/Processing"

/** A file to move on (`Processing.drive`): its arrival, if any, is already recorded. */
export interface FileJob {
  readonly accountId: AccountId
  readonly fileId: FileId
}

export class Dispatcher extends Context.Service<Dispatcher, {
  /** Queues the job; a worker drives it soon. Never fails: a job that fails is logged and left to the sweeper. */
  dispatch(job: FileJob): Effect.Effect<void>
}>()("apps/Dispatcher") {
  static readonly layer = (concurrency: number) =>
    Layer.effect(
      Dispatcher,
      Effect.gen(function*() {
        const queue = yield* Queue.unbounded<FileJob>()
        const processing = yield* Processing
        const run = (job: FileJob) =>
          processing.drive(job.accountId, job.fileId).pipe(
            Effect.tap((result) => Effect.logDebug("processed", { file_id: job.fileId, result })),
            Effect.catchCause((cause) =>
              // The file stays due; the sweeper retries it. Never let one job stop the worker.
              Effect.logError("processing failed; the sweeper will retry", { file_id: job.fileId, cause: Cause.pretty(cause) })
            ),
            Effect.uninterruptible
          )
        const worker = Queue.take(queue).pipe(Effect.flatMap(run), Effect.forever)
        for (let i = 0; i < concurrency; i++) yield* Effect.forkScoped(worker)
        return Dispatcher.of({
          dispatch: (job) => Queue.offer(queue, job).pipe(Effect.asVoid)
        })
      })
    )
}
