import { assert } from "@effect/vitest"
import { handler, sweepHandler } from "@media/apps/s3-events/handler"
import { Effect } from "effect"
import { layerAws, S3Notifications } from "../support/servers.ts"
import { fixture, get, settled, upload } from "./client.ts"
import { endToEnd } from "./scenario/index.ts"

/** The notifications that reported `key` as created. */
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
      const results = yield* Effect.promise(() => handler(notifications[0]))
      assert.deepStrictEqual(results, [{ key, result: "ready" }])
      const after = (yield* get(`/v1/media/${fileId}`)).json
      assert.strictEqual(after.updated_at, ready.updated_at)
      assert.strictEqual(after.width, ready.width)
    }))

  it.effect("the scheduled sweep Lambda runs against the same table", () =>
    Effect.gen(function*() {
      const result = yield* Effect.promise(() => sweepHandler())
      assert.deepStrictEqual(Object.keys(result), ["swept"])
      assert.isAtLeast(result.swept, 0)
    }))
})
