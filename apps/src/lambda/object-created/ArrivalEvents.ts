/**
 * The three ways an S3 ObjectCreated reaches the object-created Lambda, decoded into one list of
 * arrivals `{ bucket, key, size }` grouped by the message that carried them:
 * - an S3 notification delivered directly (`{ Records: [{ eventSource: "aws:s3", ... }] }`),
 * - S3 notifications wrapped in SQS messages (`{ Records: [{ eventSource: "aws:sqs", messageId, body }] }`),
 *   where each message can fail on its own (batchItemFailures),
 * - an EventBridge "Object Created" event (`{ "detail-type": "Object Created", detail: { bucket, object } }`).
 * An `s3:TestEvent` (sent when a notification is configured) yields no arrivals.
 */
import { Effect, Schema } from "effect"
import { type CreatedObject, InvalidS3Event, objectCreatedRecords } from "@media-object-storage/adapters/s3/S3Event"

/** The arrivals of one message; `messageId` only for SQS, so only it can be reported as failed alone. */
export interface ArrivalBatch {
  readonly messageId?: string
  readonly arrivals: ReadonlyArray<CreatedObject>
  /** Set when this message could not be decoded: it fails on its own (SQS) or fails the invocation. */
  readonly invalid?: InvalidS3Event
}

const SqsRecord = Schema.Struct({ eventSource: Schema.Literal("aws:sqs"), messageId: Schema.String, body: Schema.String })
const SqsEvent = Schema.Struct({ Records: Schema.NonEmptyArray(SqsRecord) })

const EventBridgeEvent = Schema.Struct({
  "detail-type": Schema.Literal("Object Created"),
  source: Schema.Literal("aws.s3"),
  detail: Schema.Struct({
    bucket: Schema.Struct({ name: Schema.String }),
    // EventBridge sends keys as they are (not form-encoded, unlike notifications).
    object: Schema.Struct({ key: Schema.String, size: Schema.Number })
  })
})

const TestEvent = Schema.Struct({ Event: Schema.Literal("s3:TestEvent") })

const isSqs = Schema.is(SqsEvent)
const isEventBridge = Schema.is(EventBridgeEvent)
const isTestEvent = Schema.is(TestEvent)

/** One S3 notification (already parsed JSON): its created objects; a test event has none. */
const notificationArrivals = (notification: unknown): Effect.Effect<ReadonlyArray<CreatedObject>, InvalidS3Event> =>
  isTestEvent(notification) ? Effect.succeed([]) : objectCreatedRecords(notification)

const parseJson = (body: string) =>
  Effect.try({ try: () => JSON.parse(body) as unknown, catch: () => new InvalidS3Event({ message: "message body is not JSON" }) })

/** Decodes any supported event; only an event of no known shape fails as a whole. */
export const decodeArrivals = Effect.fn("ArrivalEvents.decode")(function*(event: unknown) {
  if (isSqs(event)) {
    return yield* Effect.forEach(event.Records, (record) =>
      parseJson(record.body).pipe(
        Effect.flatMap(notificationArrivals),
        Effect.map((arrivals): ArrivalBatch => ({ messageId: record.messageId, arrivals })),
        Effect.catch((invalid) => Effect.succeed<ArrivalBatch>({ messageId: record.messageId, arrivals: [], invalid }))
      ))
  }
  if (isEventBridge(event)) {
    const { bucket, object } = event.detail
    if (!Number.isSafeInteger(object.size) || object.size < 0) {
      return yield* new InvalidS3Event({ message: "Object Created event without a valid object size" })
    }
    return [{ arrivals: [{ bucket: bucket.name, key: object.key, size: object.size }] }] as ReadonlyArray<ArrivalBatch>
  }
  return [{ arrivals: yield* notificationArrivals(event) }] as ReadonlyArray<ArrivalBatch>
})
