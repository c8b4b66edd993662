/**
 * Turns an S3 ObjectCreated notification into runs of the processing workflow:
 * shared by the Lambda handler (aws) and the disk upload endpoint (embedded).
 */
import { Effect } from "effect"
import { objectCreatedRecords } from "@media/adapters/s3/S3Event"

export interface CreatedObjectOptions {
  /**
   * The media bucket: records for any other bucket (a misrouted notification, a shared function) are
   * skipped with a warning, so a key that merely looks like ours never touches our files.
   */
  readonly bucket?: string | undefined
  readonly concurrency?: number | undefined
}

/** Runs `onObject` for each created object in the notification (of the media bucket, when given). */
export const forEachCreatedObject = <E, R>(
  event: unknown,
  onObject: (key: string, size: number) => Effect.Effect<unknown, E, R>,
  options: CreatedObjectOptions = {}
) =>
  Effect.flatMap(objectCreatedRecords(event), (records) =>
    Effect.forEach(records, (record) =>
      options.bucket !== undefined && record.bucket !== options.bucket
        ? Effect.logWarning("ignoring a notification for another bucket", {
          bucket: record.bucket,
          expected_bucket: options.bucket,
          key: record.key
        })
        : onObject(record.key, record.size), { concurrency: options.concurrency ?? 2, discard: true }))
