/**
 * The object-created Lambda's work over the ports: decode the event, skip other buckets (with a
 * warning), run the workflow for each arrival, and say which SQS messages failed so only those are
 * retried. The workflow is idempotent, so a redelivered message is a no-op.
 */
import { Cause, Effect, Exit, Option } from "effect"
import { splitByBucket } from "@media-object-storage/adapters/s3/S3Event"
import { AppConfig } from "../../config/AppConfig.ts"
import { type ArrivalBatch, decodeArrivals } from "./ArrivalEvents.ts"
import { processArrival } from "./processArrival.ts"

export interface ArrivalResult {
  readonly key: string
  readonly result: string
}

/** What the handler returns: the SQS partial-batch response, plus what became of each arrival. */
export interface ArrivalsResponse {
  readonly batchItemFailures: ReadonlyArray<{ readonly itemIdentifier: string }>
  readonly results: ReadonlyArray<ArrivalResult>
}


const runBatch = (bucket: string | undefined, batch: ArrivalBatch) =>
  Effect.gen(function*() {
    if (batch.invalid !== undefined) return yield* batch.invalid
    const { ours, others } = splitByBucket(batch.arrivals, bucket)
    for (const other of others) {
      yield* Effect.logWarning("ignoring a notification for another bucket", {
        bucket: other.bucket,
        expected_bucket: bucket,
        key: other.key
      })
    }
    return yield* Effect.forEach(ours, (arrival) =>
      processArrival(arrival).pipe(Effect.map((result): ArrivalResult => ({ key: arrival.key, result: String(result) }))), {
      concurrency: 2
    })
  })

/**
 * Handles one invocation. A message from SQS that fails is reported in `batchItemFailures` (and
 * logged); any other failure fails the invocation, so Lambda/S3/EventBridge retry it.
 */
export const handleArrivals = Effect.fn("ObjectCreated.handle")(function*(event: unknown) {
  const bucket = Option.getOrUndefined((yield* AppConfig).bucket)
  const batches = yield* decodeArrivals(event)
  const failures: Array<{ itemIdentifier: string }> = []
  const results: Array<ArrivalResult> = []
  for (const batch of batches) {
    if (batch.messageId === undefined) {
      results.push(...(yield* runBatch(bucket, batch)))
      continue
    }
    const exit = yield* Effect.exit(runBatch(bucket, batch))
    if (Exit.isSuccess(exit)) {
      results.push(...exit.value)
    } else {
      yield* Effect.logError("message failed; SQS will redeliver it", {
        message_id: batch.messageId,
        cause: Cause.pretty(exit.cause)
      })
      failures.push({ itemIdentifier: batch.messageId })
    }
  }
  yield* Effect.logInfo("object-created event handled", { results, failed_messages: failures.length })
  return { batchItemFailures: failures, results } satisfies ArrivalsResponse
})
