/**
 * Lambda entry: S3 ObjectCreated on `originals/`, delivered directly, through SQS (partial batch
 * responses) or by EventBridge. Runtime built at the first invocation, reused by later ones.
 */
import type { LambdaContext } from "../LambdaContext.ts"
import { invocation, lambdaRuntime } from "../LambdaRuntime.ts"
import { ProcessingLayer } from "../ProcessingLayer.ts"
import { handleArrivals } from "./handleArrivals.ts"

const runtime = lambdaRuntime(ProcessingLayer)

/** The Lambda handler (`index.handler` in the bundle). */
export const handler = (event: unknown, context?: LambdaContext) =>
  runtime.runPromise(invocation(context, handleArrivals(event)))
