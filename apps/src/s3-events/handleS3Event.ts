/**
 * The work of the Lambda handlers, as Effects over the ports: process every
 * created original in an S3 notification; run one sweep on a schedule.
 */
import { Effect, Option } from "effect"
import { handleObjectCreated } from "@media/core/usecases/ProcessUpload"
import { sweepDue } from "@media/core/usecases/SweepDue"
import { AppConfig } from "../config/AppConfig.ts"
import { forEachCreatedObject } from "../server/dispatchS3Event.ts"

/**
 * Processes each ObjectCreated record of the media bucket (`MEDIA_BUCKET`; records of any other
 * bucket are ignored with a warning). Keys outside the originals prefix are ignored by the use case;
 * a failure fails the invocation so S3/Lambda retry it, which is safe because the workflow is idempotent.
 */
export const handleS3Event = Effect.fn("S3Events.handle")(function*(event: unknown) {
  const { bucket } = yield* AppConfig
  const results: Array<{ key: string; result: string }> = []
  yield* forEachCreatedObject(event, (key, size) =>
    handleObjectCreated(key, size).pipe(Effect.tap((result) => Effect.sync(() => results.push({ key, result })))), {
    bucket: Option.getOrUndefined(bucket)
  })
  yield* Effect.logInfo("s3 event handled", { results })
  return results
})

/** One sweep (upload expiry, lost events, expired leases), for a scheduled rule. */
export const sweep = Effect.fn("S3Events.sweep")(function*() {
  const swept = yield* sweepDue({ batch: 200, concurrency: 2 })
  return { swept: swept.length }
})
