/**
 * Lambda entry for the scheduled sweep (EventBridge, every minute): fails expired uploads, drives
 * files whose event was lost or whose processor crashed, and reports how many files each outcome got.
 */
import { Effect } from "effect"
import { Processing } from "@media-object-storage/core/usecases/Processing"
import type { LambdaContext } from "../LambdaContext.ts"
import { invocation, lambdaRuntime } from "../LambdaRuntime.ts"
import { ProcessingLayer } from "../ProcessingLayer.ts"

/** One sweep: `swept` files in all, `outcomes` counts them by what became of each. */
export const sweepOnce = Effect.fn("Sweep.once")(function*() {
  const swept = yield* (yield* Processing).sweep({ batch: 200, concurrency: 2 })
  const outcomes: Record<string, number> = {}
  for (const [, outcome] of swept) outcomes[outcome] = (outcomes[outcome] ?? 0) + 1
  yield* Effect.logInfo("sweep done", { swept: swept.length, outcomes })
  return { swept: swept.length, outcomes }
})

const runtime = lambdaRuntime(ProcessingLayer)

/** The Lambda handler (`index.handler` in the bundle). */
export const handler = (_event: unknown, context?: LambdaContext) => runtime.runPromise(invocation(context, sweepOnce()))
