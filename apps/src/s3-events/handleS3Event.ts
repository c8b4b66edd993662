/**
 * The work of the Lambda handlers, as Effects over the Processing service:
 * process every created original in an S3 notification; run one sweep on a schedule.
 */
import { Effect, Option } from "effect"
import { type CreatedObject, objectCreatedRecords, splitByBucket } from "@media/adapters/s3/S3Event"
import { ObjectArrived } from "@media/core/ObjectArrived"
import { Processing } from "@media/core/usecases/Processing"
import type { DriveResult, WorkflowError } from "@media/core/usecases/ProcessUpload"
import { AppConfig } from "../config/AppConfig.ts"

/** One created object: an arrival for an original, "ignored" for any other key (derivatives never trigger processing). */
const handleObject = (
  processing: Processing["Service"],
  object: CreatedObject
): Effect.Effect<{ readonly key: string; readonly result: DriveResult | "ignored" }, WorkflowError> => {
  const arrival = ObjectArrived.fromKey(object.key, object.size)
  const handled: Effect.Effect<DriveResult | "ignored", WorkflowError> = Option.isSome(arrival)
    ? processing.arrive(arrival.value)
    : Effect.succeed("ignored")
  return Effect.map(handled, (result) => ({ key: object.key, result }))
}

/**
 * Processes each ObjectCreated record of the media bucket (`MEDIA_BUCKET`; records of any other
 * bucket are ignored with a warning). Keys outside the originals prefix are ignored; a failure fails
 * the invocation so S3/Lambda retry it, which is safe because the workflow is idempotent.
 */
export const handleS3Event = Effect.fn("S3Events.handle")(function*(event: unknown) {
  const { bucket } = yield* AppConfig
  const processing = yield* Processing
  const { ours, others } = splitByBucket(yield* objectCreatedRecords(event), Option.getOrUndefined(bucket))
  for (const other of others) {
    yield* Effect.logWarning("ignoring a notification for another bucket", {
      bucket: other.bucket,
      expected_bucket: Option.getOrUndefined(bucket),
      key: other.key
    })
  }
  const results = yield* Effect.forEach(ours, (object) => handleObject(processing, object), { concurrency: 2 })
  yield* Effect.logInfo("s3 event handled", { results })
  return results
})

/** One sweep (upload expiry, lost events, expired leases), for a scheduled rule. */
export const sweep = Effect.fn("S3Events.sweep")(function*() {
  const swept = yield* (yield* Processing).sweep({ batch: 200, concurrency: 2 })
  return { swept: swept.length }
})
