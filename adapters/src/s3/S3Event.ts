/**
 * S3 event notifications: the shape S3 delivers, and the one reading of it the
 * app needs — which objects were created, in which bucket.
 */
import { Effect, Schema } from "effect"

export class InvalidS3Event extends Schema.TaggedError<InvalidS3Event>()("InvalidS3Event", {
  message: Schema.String
}) {}

export const S3EventRecord = Schema.Struct({
  eventName: Schema.String,
  s3: Schema.Struct({
    bucket: Schema.Struct({ name: Schema.String }),
    // ObjectRemoved records carry no size, so it is only required of created objects (below).
    object: Schema.Struct({ key: Schema.String, size: Schema.optional(Schema.Number) })
  })
})
export type S3EventRecord = typeof S3EventRecord.Type

export const S3EventNotification = Schema.Struct({ Records: Schema.Array(S3EventRecord) })
export type S3EventNotification = typeof S3EventNotification.Type

export interface CreatedObject {
  readonly bucket: string
  readonly key: string
  readonly size: number
}

/** S3 form-encodes keys in notifications: `+` is a space, everything else is percent-encoded. */
export const decodeEventKey = (encoded: string): Effect.Effect<string, InvalidS3Event> =>
  Effect.try({
    try: () => decodeURIComponent(encoded.replace(/\+/g, " ")),
    catch: () => new InvalidS3Event({ message: `object key is not URL-encoded: ${encoded}` })
  })

/** The inverse of `decodeEventKey`, for producers of notifications (tests, tools). */
export const encodeEventKey = (key: string): string =>
  encodeURIComponent(key).replace(/%20/g, "+").replace(/%2F/g, "/")

const decodeNotification = Schema.decodeUnknownEffect(S3EventNotification)

/** The created objects of a notification; records of any other event (removals, ...) are skipped. */
export const objectCreatedRecords = Effect.fn("S3Event.objectCreatedRecords")(function*(event: unknown) {
  const notification = yield* decodeNotification(event).pipe(
    Effect.mapError((error) => new InvalidS3Event({ message: error.message }))
  )
  const created: Array<CreatedObject> = []
  for (const record of notification.Records) {
    if (!record.eventName.startsWith("ObjectCreated:")) continue
    const size = record.s3.object.size
    if (size === undefined || !Number.isSafeInteger(size) || size < 0) {
      return yield* new InvalidS3Event({ message: `${record.eventName} record without a valid object size` })
    }
    const key = yield* decodeEventKey(record.s3.object.key)
    created.push({ bucket: record.s3.bucket.name, key, size })
  }
  return created as ReadonlyArray<CreatedObject>
})

/** The created objects of one bucket, and the rest (to report). */
export interface BucketSplit {
  readonly ours: ReadonlyArray<CreatedObject>
  readonly others: ReadonlyArray<CreatedObject>
}

/**
 * Keeps the objects of the media `bucket`: records of any other bucket (a misrouted notification, a
 * function shared between buckets) are set apart, so a key that merely looks like ours never touches
 * our files. Without a bucket (none configured), every object is ours.
 */
export const splitByBucket = (objects: ReadonlyArray<CreatedObject>, bucket: string | undefined): BucketSplit => ({
  ours: objects.filter((object) => bucket === undefined || object.bucket === bucket),
  others: objects.filter((object) => bucket !== undefined && object.bucket !== bucket)
})
