import { assert, describe, it } from "@effect/vitest"
import type { UploadTarget } from "@media-object-storage/core/ports/ObjectStore"
import { Effect, Redacted } from "effect"
import { type PolicyContext, signPolicy, verifyPostPolicy } from "../../src/disk/PostPolicy.ts"
import { decodePolicy } from "../s3/postForm.ts"
import { signWithStoreKeys, testCredentials } from "./testStore.ts"

const policy = { key: "originals/10020/f", contentType: "image/png", minBytes: 3, maxBytes: 30, expiresAt: 900 }
const sign = signWithStoreKeys("http://127.0.0.1:1/storage/media", policy)

const context = (target: UploadTarget, overrides: Partial<PolicyContext> = {}): PolicyContext => ({
  bucket: "media",
  credentials: testCredentials,
  region: "us-east-1",
  nowMillis: Date.parse(decodePolicy(target.fields.Policy ?? "").expiration) - 1000,
  ...overrides
})

const form = (target: UploadTarget, changes: Record<string, string | undefined> = {}) =>
  Object.entries({ ...target.fields, ...changes }).filter((e): e is [string, string] => e[1] !== undefined)

const code = (effect: Effect.Effect<unknown, { readonly code: string }>) => Effect.map(Effect.flip(effect), (e) => e.code)

describe("PostPolicy.verifyPostPolicy", () => {
  it.effect("accepts the SDK's signed form and returns what it pins", () =>
    Effect.gen(function*() {
      const target = yield* sign
      const verified = yield* verifyPostPolicy(form(target), context(target))
      assert.deepStrictEqual(verified, { key: policy.key, contentType: "image/png", minBytes: 3, maxBytes: 30, successStatus: 204 })
      // Field names are case-insensitive, as in S3; the signature's hex case does not matter.
      const upper = form(target).map(([n, v]) => [n.toUpperCase(), n === "X-Amz-Signature" ? v.toUpperCase() : v] as const)
      assert.strictEqual((yield* verifyPostPolicy(upper, context(target))).key, policy.key)
    }))

  it.effect("expires exactly at the policy's expiration", () =>
    Effect.gen(function*() {
      const target = yield* sign
      const expiration = Date.parse(decodePolicy(target.fields.Policy ?? "").expiration)
      yield* verifyPostPolicy(form(target), context(target, { nowMillis: expiration }))
      assert.strictEqual(yield* code(verifyPostPolicy(form(target), context(target, { nowMillis: expiration + 1 }))), "AccessDenied")
    }))

  it.effect("checks the credential scope: access key, region, algorithm, and the secret", () =>
    Effect.gen(function*() {
      const target = yield* sign
      const other = { accessKeyId: "OTHERKEY", secretAccessKey: testCredentials.secretAccessKey }
      assert.strictEqual(yield* code(verifyPostPolicy(form(target), context(target, { credentials: other }))), "InvalidAccessKeyId")
      assert.strictEqual(yield* code(verifyPostPolicy(form(target), context(target, { region: "eu-west-1" }))), "InvalidArgument")
      assert.strictEqual(
        yield* code(verifyPostPolicy(form(target, { "X-Amz-Algorithm": "AWS4-HMAC-SHA1" }), context(target))),
        "InvalidArgument"
      )
      const wrongSecret = { accessKeyId: testCredentials.accessKeyId, secretAccessKey: Redacted.make("not-the-secret") }
      assert.strictEqual(
        yield* code(verifyPostPolicy(form(target), context(target, { credentials: wrongSecret }))),
        "SignatureDoesNotMatch"
      )
    }))

  it.effect("refuses a repeated field, a form posted to another bucket, and an unsigned success_action_status", () =>
    Effect.gen(function*() {
      const target = yield* sign
      const repeated = [...form(target), ["key", policy.key] as const]
      assert.strictEqual(yield* code(verifyPostPolicy(repeated, context(target))), "InvalidArgument")
      assert.strictEqual(yield* code(verifyPostPolicy(form(target), context(target, { bucket: "other" }))), "InvalidArgument")
      assert.strictEqual(
        yield* code(verifyPostPolicy(form(target, { success_action_status: "201" }), context(target))),
        "AccessDenied"
      )
    }))

  it.effect("enforces starts-with conditions and refuses a document with an unknown condition", () =>
    Effect.gen(function*() {
      const secret = Redacted.value(testCredentials.secretAccessKey)
      const target = yield* sign
      const signed = (conditions: ReadonlyArray<unknown>) => {
        const Policy = Buffer.from(JSON.stringify({ expiration: "2100-01-01T00:00:00Z", conditions })).toString("base64")
        const date = (target.fields["X-Amz-Date"] ?? "").slice(0, 8)
        return form(target, { Policy, "X-Amz-Signature": signPolicy(secret, date, "us-east-1", Policy) })
      }
      const base = [
        { bucket: "media" },
        { "X-Amz-Algorithm": "AWS4-HMAC-SHA256" },
        { "X-Amz-Credential": target.fields["X-Amz-Credential"] },
        { "X-Amz-Date": target.fields["X-Amz-Date"] },
        ["eq", "$Content-Type", "image/png"]
      ]
      const now = { nowMillis: 0 }
      yield* verifyPostPolicy(signed([...base, ["starts-with", "$key", "originals/10020/"]]), context(target, now))
      assert.strictEqual(
        yield* code(verifyPostPolicy(signed([...base, ["starts-with", "$key", "originals/99/"]]), context(target, now))),
        "AccessDenied"
      )
      assert.strictEqual(
        yield* code(verifyPostPolicy(signed([...base, { key: policy.key }, ["matches", "$key", ".*"]]), context(target, now))),
        "InvalidPolicyDocument"
      )
    }))
})
