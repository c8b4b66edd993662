/**
 * Turns an S3 ObjectCreated notification into runs of the processing workflow:
 * shared by the Lambda handler (aws) and the disk upload endpoint (embedded).
 */
import { Effect } from "effect"
import { objectCreatedRecords } from "@media/adapters/s3/S3Event"

/** Runs `onObject` for each created object in the notification. */
export const forEachCreatedObject = <E, R>(
  event: unknown,
  onObject: (key: string, size: number) => Effect.Effect<unknown, E, R>,
  concurrency = 2
) =>
  Effect.flatMap(objectCreatedRecords(event), (records) =>
    Effect.forEach(records, (record) => onObject(record.key, record.size), { concurrency, discard: true }))
