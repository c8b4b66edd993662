/**
 * One bound for all image work in a process (SPEC §6 processing, issue 8.5): at most `maxImages`
 * images decode and encode at once, and their estimated decoded bytes stay within a memory budget.
 */
import { Effect, Fiber, Semaphore } from "effect"

/** Images at once: one per core on a 2-core machine (each image's pipelines run on one libvips thread). */
export const DEFAULT_MAX_IMAGES = 2
/** 1 GiB: a small machine's share for decoded pixels; a 100 MP 16-bit RGB image alone needs 600 MB. */
export const DEFAULT_BUDGET_BYTES = 2 ** 30

export interface ProcessingGateOptions {
  /** Images in flight at once (a positive integer). */
  readonly maxImages: number
  /** Estimated bytes in flight at once (a positive integer); one job larger than this runs alone. */
  readonly budgetBytes: number
}

/** What is in flight now and the most there ever was: for tests, benchmarks and logs. */
export interface ProcessingGateStats {
  readonly images: number
  readonly bytes: number
  readonly peakImages: number
  readonly peakBytes: number
}

export interface ProcessingGate {
  readonly options: ProcessingGateOptions
  /**
   * Runs `work` holding one image slot and `bytes` of the budget (clamped to the whole budget).
   * Waiting is interruptible and FIFO: a large job at the head is not overtaken by small ones.
   * Once started, the work runs to its end in its own fiber and only then frees its share, since
   * libvips keeps the memory and the thread until its promise settles; an interrupted caller stops
   * waiting for the result at once.
   */
  readonly run: (bytes: number) => <A, E>(work: Effect.Effect<A, E>) => Effect.Effect<A, E>
  readonly stats: Effect.Effect<ProcessingGateStats>
}

/** Builds a gate; share one per process (the ImageProcessor layer holds it). */
export const make = (options: ProcessingGateOptions): Effect.Effect<ProcessingGate> =>
  Effect.sync(() => {
    // Held while waiting for a slot and bytes, so the head of the queue waits for room instead of
    // being overtaken by every smaller job that fits (Semaphore alone lets small requests pass).
    const admission = Semaphore.makeUnsafe(1)
    const slots = Semaphore.makeUnsafe(options.maxImages)
    const budget = Semaphore.makeUnsafe(options.budgetBytes)
    let images = 0, bytes = 0, peakImages = 0, peakBytes = 0

    const held = (charge: number) => <A, E>(work: Effect.Effect<A, E>) =>
      Effect.suspend(() => {
        images++, bytes += charge
        peakImages = Math.max(peakImages, images), peakBytes = Math.max(peakBytes, bytes)
        return work
      }).pipe(Effect.ensuring(Effect.sync(() => void (images--, bytes -= charge))))

    const run = (requested: number) => <A, E>(work: Effect.Effect<A, E>) =>
      Effect.gen(function*() {
        const charge = Math.min(options.budgetBytes, Math.max(0, Math.ceil(requested)))
        const job = Effect.scoped(Effect.gen(function*() {
          // Each share is released when this scope closes: after the work, or at once if the wait is interrupted.
          yield* admission.withPermit(Effect.andThen(slots.takeScoped(1), budget.takeScoped(charge)))
          return yield* Effect.uninterruptible(held(charge)(work))
        }))
        const fiber = yield* Effect.forkDetach(job)
        // Interrupting a waiting job removes it from the queue; a running one is uninterruptible and
        // finishes on its own, so the caller never waits for it.
        return yield* Fiber.join(fiber).pipe(Effect.onInterrupt(() => Effect.asVoid(Effect.forkDetach(Fiber.interrupt(fiber)))))
      })

    return {
      options,
      run,
      stats: Effect.sync((): ProcessingGateStats => ({ images, bytes, peakImages, peakBytes }))
    }
  })
