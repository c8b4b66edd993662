import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { encodeEventKey, objectCreatedRecords, splitByBucket } from "../../src/s3/S3Event.ts"

const record = (eventName: string, key: string, size?: number) => ({
  eventVersion: "2.1",
  eventSource: "aws:s3",
  eventName,
  s3: { bucket: { name: "media", arn: "arn:aws:s3:::media" }, object: { key, ...(size === undefined ? {} : { size }) } }
})

describe("S3Event.objectCreatedRecords", () => {
  it.effect("keeps only ObjectCreated records, with bucket, decoded key and size", () =>
    Effect.gen(function*() {
      const created = yield* objectCreatedRecords({
        Records: [
          record("ObjectCreated:Put", "originals/10020/abc", 12),
          record("ObjectRemoved:Delete", "originals/10020/gone"),
          record("ObjectCreated:Post", "originals/10020/def", 0)
        ]
      })
      assert.deepStrictEqual(created, [
        { bucket: "media", key: "originals/10020/abc", size: 12 },
        { bucket: "media", key: "originals/10020/def", size: 0 }
      ])
    }))

  it.effect("decodes keys the way S3 encodes them: + is a space, then percent-decoding", () =>
    Effect.gen(function*() {
      const created = yield* objectCreatedRecords({
        Records: [record("ObjectCreated:Put", "a/photo+1%2B2%3D3+%C3%A9.jpg", 1)]
      })
      assert.strictEqual(created[0]?.key, "a/photo 1+2=3 é.jpg")
    }))

  it.effect("encodeEventKey is the inverse of the decoding", () =>
    Effect.gen(function*() {
      const key = "originals/10020/a b+c%d&é/ü"
      const created = yield* objectCreatedRecords({ Records: [record("ObjectCreated:Post", encodeEventKey(key), 3)] })
      assert.strictEqual(created[0]?.key, key)
      assert.notInclude(encodeEventKey(key), " ")
    }))

  it.effect("rejects what is not a notification, a created record without size, and a malformed key", () =>
    Effect.gen(function*() {
      for (const event of [
        null,
        { Service: "Amazon S3", Event: "s3:TestEvent" },
        { Records: [{ eventName: "ObjectCreated:Put" }] },
        { Records: [record("ObjectCreated:Put", "k")] },
        { Records: [record("ObjectCreated:Put", "bad%E0%A4%A", 1)] }
      ]) {
        const error = yield* Effect.flip(objectCreatedRecords(event))
        assert.strictEqual(error._tag, "InvalidS3Event")
      }
    }))
})

describe("S3Event.splitByBucket", () => {
  const objects = [
    { bucket: "media", key: "originals/10020/a", size: 1 },
    { bucket: "someone-elses", key: "originals/10020/b", size: 2 },
    { bucket: "media", key: "originals/10020/c", size: 3 }
  ]
  it("keeps the media bucket's objects, in order, and sets the others apart", () => {
    const { ours, others } = splitByBucket(objects, "media")
    assert.deepStrictEqual(ours.map((o) => o.key), ["originals/10020/a", "originals/10020/c"])
    assert.deepStrictEqual(others.map((o) => o.key), ["originals/10020/b"])
  })
  it("keeps every object when no bucket is configured", () => {
    assert.deepStrictEqual(splitByBucket(objects, undefined), { ours: objects, others: [] })
  })
})
