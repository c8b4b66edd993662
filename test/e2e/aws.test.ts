import { assert } from "@effect/vitest"
import * as DynamoFileRepository from "@media-object-storage/adapters/dynamodb/DynamoFileRepository"
import { handler } from "@media-object-storage/apps/lambda/object-created/handler"
import { handler as sweepHandler } from "@media-object-storage/apps/lambda/sweep/handler"
import type { AccountId, FileId } from "@media-object-storage/core/Ids"
import { FileRepository } from "@media-object-storage/core/ports/FileRepository"
import { Effect, Option } from "effect"
import { awsTable, layerAws, S3Notifications } from "../support/servers.ts"
import { fixture, get, requestUpload, settled, upload } from "./client.ts"
import { endToEnd } from "./scenario/index.ts"

/** The notifications that reported `key` as created. */
/** Makes an upload that never arrived due for the sweeper now, as if its URL had expired long ago. */
const makeOverdue = (fileId: string) =>
  Effect.gen(function*() {
    const repository = yield* FileRepository
    const record = Option.getOrThrow(yield* repository.get("10020" as AccountId, fileId as FileId))
    yield* repository.transition({ ...record, dueAt: 1, version: record.version + 1 }, record.version)
  }).pipe(Effect.provide(DynamoFileRepository.layer(awsTable)))

const createdNotifications = (key: string) =>
  Effect.map(S3Notifications.pipe(Effect.flatMap((n) => n.all)), (all) =>
    all.filter((notification) => JSON.stringify(notification).includes(key) && JSON.stringify(notification).includes("ObjectCreated")))

endToEnd("end to end (aws: s3rver + DynamoDB Local)", "aws", layerAws, (it) => {
  it.effect("the Lambda handler treats a redelivered notification as a no-op", () =>
    Effect.gen(function*() {
      const fileId = yield* upload("AWS1|SKU-1|DAMAGED|D1", fixture("tricky/with-alpha.png"), "image/png")
      const ready = yield* settled(fileId)
      assert.strictEqual(ready.status, "ready", JSON.stringify(ready))
      const key = `originals/10020/${fileId}`
      const notifications = yield* createdNotifications(key)
      assert.lengthOf(notifications, 1)
      // S3 delivers at least once: the same notification again, straight to the deployed handler.
      const response = yield* Effect.promise(() => handler(notifications[0], { awsRequestId: "redelivery" }))
      assert.deepStrictEqual(response, { batchItemFailures: [], results: [{ key, result: "ready" }] })
      const after = (yield* get(`/v1/media/${fileId}`)).json
      assert.strictEqual(after.updated_at, ready.updated_at)
      assert.strictEqual(after.width, ready.width)
    }))

  it.effect("the scheduled sweep Lambda fails an upload that never arrived with upload_expired", () =>
    Effect.gen(function*() {
      const ticket = yield* requestUpload("AWS1|SKU-2|DAMAGED|D2", "image/png")
      yield* makeOverdue(ticket.file_id)
      const result = yield* Effect.promise(() => sweepHandler({}, { awsRequestId: "sweep" }))
      assert.isAtLeast(result.outcomes["failed"] ?? 0, 1, JSON.stringify(result))
      const after = (yield* get(`/v1/media/${ticket.file_id}`)).json
      assert.strictEqual(after.status, "failed")
      assert.strictEqual(after.failure_reason, "upload_expired")
    }))
})
