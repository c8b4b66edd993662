/**
 * In-process dispatch of storage events to the processing workflow (embedded
 * mode), with bounded concurrency. A job in flight runs to its end on shutdown;
 * queued jobs are picked up on the next start by the sweeper, since their files
 * stay `uploaded` with a due time.
 */
import { Cause, Context, Effect, Layer, Queue } from "effect"
import { FileRepository } from "@media/core/ports/FileRepository"
import { ImageProcessor } from "@media/core/ports/ImageProcessor"
import { ObjectStore } from "@media/core/ports/ObjectStore"
import { handleObjectCreated } from "@media/core/usecases/ProcessUpload"

export interface ObjectCreatedJob {
  readonly key: string
  readonly size?: number | undefined
}

export class Dispatcher extends Context.Service<Dispatcher, {
  dispatch(job: ObjectCreatedJob): Effect.Effect<void>
  /** Jobs queued or running: lets tests and shutdown see when work is done. */
  readonly pending: Effect.Effect<number>
}>()("apps/Dispatcher") {
  static readonly layer = (concurrency: number) =>
    Layer.effect(
      Dispatcher,
      Effect.gen(function*() {
        const queue = yield* Queue.unbounded<ObjectCreatedJob>()
        const context = yield* Effect.context<FileRepository | ObjectStore | ImageProcessor>()
        // Offered and not yet finished: exact, unlike queue size + workers busy.
        let pending = 0
        const run = (job: ObjectCreatedJob) =>
          handleObjectCreated(job.key, job.size).pipe(
            Effect.provideContext(context),
            Effect.tap((result) => Effect.logDebug("processed", { key: job.key, result })),
            Effect.catchCause((cause) =>
              // The file stays due; the sweeper retries it. Never let one job stop the worker.
              Effect.logError("processing failed; the sweeper will retry", { key: job.key, cause: Cause.pretty(cause) })
            ),
            Effect.ensuring(Effect.sync(() => pending--)),
            Effect.uninterruptible
          )
        const worker = Queue.take(queue).pipe(Effect.flatMap(run), Effect.forever)
        for (let i = 0; i < concurrency; i++) yield* Effect.forkScoped(worker)
        return Dispatcher.of({
          dispatch: (job) => Effect.sync(() => pending++).pipe(Effect.andThen(Queue.offer(queue, job)), Effect.asVoid),
          pending: Effect.sync(() => pending)
        })
      })
    )
}
