import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Logger, Option } from "effect"
import { encodeEventKey } from "@media-object-storage/adapters/s3/S3Event"
import type { AccountId } from "@media-object-storage/core/Ids"
import { layerMemory } from "@media-object-storage/core/memory/layerMemory"
import { FileRepository } from "@media-object-storage/core/ports/FileRepository"
import { ObjectStore } from "@media-object-storage/core/ports/ObjectStore"
import { Processing } from "@media-object-storage/core/usecases/Processing"
import { AppConfig } from "../../src/config/AppConfig.ts"
import { handleArrivals } from "../../src/lambda/object-created/handleArrivals.ts"
import { png } from "../../../core/test/fixtures.ts"
import { requestUpload } from "../../../core/test/usecases/helpers.ts"


/** What S3 sends for a POST upload (the key form-encoded, as S3 encodes it). */
const notification = (bucket: string, key: string, size: number) => ({
  Records: [{
    eventVersion: "2.1",
    eventSource: "aws:s3",
    awsRegion: "us-east-1",
    eventTime: new Date(0).toISOString(),
    eventName: "ObjectCreated:Post",
    s3: {
      s3SchemaVersion: "1.0",
      bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
      object: { key: encodeEventKey(key), size, eTag: "e", sequencer: "0000000000000000" }
    }
  }]
})

const uploadedFile = (account: AccountId) =>
  Effect.gen(function*() {
    const ticket = yield* requestUpload(account, { contentType: "image/png", entityType: "shipment_item", entityId: "S|K|R|D" })
    const key = ticket.fields["key"]!
    yield* (yield* ObjectStore).put(key, png(10, 10), "image/png")
    return { key, fileId: ticket.file_id }
  })

const TestLayer = () => Layer.mergeAll(
  Processing.layer.pipe(Layer.provideMerge(layerMemory())),
  AppConfig.layer.pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord({ MEDIA_BUCKET: "media", MEDIA_MODE: "aws" }))))
)

const sqs = (messages: ReadonlyArray<{ id: string; body: string }>) => ({
  Records: messages.map((m) => ({ eventSource: "aws:sqs", messageId: m.id, body: m.body, receiptHandle: "r", attributes: {} }))
})

describe("handleArrivals", () => {
  it.effect("ignores, with a warning, records of a bucket other than MEDIA_BUCKET, and processes the media bucket's", () => {
    const warnings: Array<unknown> = []
    const capture = Logger.make((options) => {
      if (options.logLevel === "Warn") warnings.push(options.message)
    })
    return Effect.gen(function*() {
      const account = "10020" as AccountId
      const ours = yield* uploadedFile(account)
      const theirs = yield* uploadedFile(account)
      const event = {
        Records: [...notification("someone-elses", theirs.key, 32).Records, ...notification("media", ours.key, 32).Records]
      }
      const { batchItemFailures, results } = yield* handleArrivals(event)
      assert.deepStrictEqual(results, [{ key: ours.key, result: "ready" }])
      assert.deepStrictEqual(batchItemFailures, [])
      const untouched = Option.getOrThrow(yield* FileRepository.use((r) => r.get(account, theirs.fileId)))
      assert.strictEqual(untouched.status, "uploading")
      assert.isTrue(Option.isSome(yield* ObjectStore.use((s) => s.head(theirs.key))))
      assert.include(JSON.stringify(warnings), "another bucket")
    }).pipe(
      Effect.provide(Layer.mergeAll(TestLayer(), Logger.layer([capture])))
    )
  })

  it.effect("reports only the SQS messages that failed, and processes the others", () =>
    Effect.gen(function*() {
      const account = "10020" as AccountId
      const file = yield* uploadedFile(account)
      const event = sqs([
        { id: "good", body: JSON.stringify(notification("media", file.key, 32)) },
        { id: "not-json", body: "{" },
        { id: "not-s3", body: JSON.stringify({ hello: "world" }) },
        { id: "test-event", body: JSON.stringify({ Service: "Amazon S3", Event: "s3:TestEvent", Bucket: "media" }) }
      ])
      const { batchItemFailures, results } = yield* handleArrivals(event)
      assert.deepStrictEqual(batchItemFailures, [{ itemIdentifier: "not-json" }, { itemIdentifier: "not-s3" }])
      assert.deepStrictEqual(results, [{ key: file.key, result: "ready" }])
      // Redelivered: a no-op that still succeeds.
      const again = yield* handleArrivals(sqs([{ id: "good", body: JSON.stringify(notification("media", file.key, 32)) }]))
      assert.deepStrictEqual(again, { batchItemFailures: [], results: [{ key: file.key, result: "ready" }] })
    }).pipe(Effect.provide(TestLayer())))

  it.effect("processes an EventBridge Object Created event (keys not form-encoded)", () =>
    Effect.gen(function*() {
      const file = yield* uploadedFile("10020" as AccountId)
      const { results } = yield* handleArrivals({
        version: "0",
        source: "aws.s3",
        "detail-type": "Object Created",
        detail: { version: "0", bucket: { name: "media" }, object: { key: file.key, size: 32, etag: "e" } }
      })
      assert.deepStrictEqual(results, [{ key: file.key, result: "ready" }])
    }).pipe(Effect.provide(TestLayer())))

  it.effect("acknowledges an s3:TestEvent delivered directly and fails an event of no known shape", () =>
    Effect.gen(function*() {
      const ack = yield* handleArrivals({ Service: "Amazon S3", Event: "s3:TestEvent", Bucket: "media" })
      assert.deepStrictEqual(ack, { batchItemFailures: [], results: [] })
      const error = yield* Effect.flip(handleArrivals({ something: "else" }))
      assert.strictEqual(error._tag, "InvalidS3Event")
    }).pipe(Effect.provide(TestLayer())))
})
