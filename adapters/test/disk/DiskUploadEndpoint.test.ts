import { assert, describe, layer } from "@effect/vitest"
import type { AccountId, FileId } from "@media-object-storage/core/Ids"
import { nowSeconds } from "@media-object-storage/core/nowSeconds"
import { ObjectStore, type UploadPolicy, type UploadTarget } from "@media-object-storage/core/ports/ObjectStore"
import { Effect, Option, Ref } from "effect"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { originalKey } from "@media-object-storage/core/ObjectKeys"
import { decodePolicy, postForm } from "../s3/postForm.ts"
import { signWithStoreKeys, StoreRoot } from "./testStore.ts"
import { postStreaming } from "./streamingPost.ts"
import { allowedOrigin, CapturedEvents, FailingEvents, maxUploadBytes, UploadServerLayer } from "./uploadServer.ts"

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4])

/** A target for a fresh originals key (1…100 bytes of image/png, 15 minutes), as RequestUpload asks for one. */
export const presign = (overrides: Partial<UploadPolicy> = {}) =>
  Effect.gen(function*() {
    const now = yield* nowSeconds
    const store = yield* ObjectStore
    const policy: UploadPolicy = {
      key: `originals/10020/${globalThis.crypto.randomUUID()}`,
      contentType: "image/png",
      minBytes: 1,
      maxBytes: 100,
      expiresAt: now + 15 * 60,
      ...overrides
    }
    return { policy, target: yield* store.presignUpload(policy) }
  })

const keyOf = (arrival: { readonly accountId: AccountId; readonly fileId: FileId }) => originalKey(arrival.accountId, arrival.fileId)

const errorCode = (body: string) => /<Code>([^<]*)<\/Code>/.exec(body)?.[1]

/** Asserts an S3 XML error and that nothing was stored under the key. */
const rejected = (target: UploadTarget, key: string, result: { status: number; body: string }, status: number, code: string) =>
  Effect.gen(function*() {
    assert.strictEqual(result.status, status, result.body)
    assert.strictEqual(errorCode(result.body), code, result.body)
    assert.match(result.body, /^<\?xml[^>]*>\n<Error><Code>[A-Za-z]+<\/Code><Message>[^<]+<\/Message>/)
    assert.isTrue(Option.isNone(yield* (yield* ObjectStore).head(key)), `${key} must not be stored (${target.url})`)
  })

describe("DiskUploadEndpoint", () => {
  layer(UploadServerLayer, { excludeTestServices: true, timeout: 60_000 })((it) => {
    it.effect("stores a signed upload (204), on disk, and reports the arrival of the original", () =>
      Effect.gen(function*() {
        const { policy, target } = yield* presign()
        const result = yield* postForm(target, png, "image/png")
        assert.strictEqual(result.status, 204, result.body)
        assert.match(result.headers.get("etag") ?? "", /^"[0-9a-f]{32}"$/)

        const root = yield* StoreRoot
        assert.deepStrictEqual([...readFileSync(join(root, policy.key))], [...png])
        const store = yield* ObjectStore
        assert.deepStrictEqual(yield* store.head(policy.key), Option.some({ size: png.length, contentType: "image/png" }))
        // No temp files left next to it.
        assert.deepStrictEqual(readdirSync(join(root, "originals/10020")).filter((f) => f.endsWith(".tmp")), [])

        const events = yield* Ref.get(yield* CapturedEvents)
        const event = events.find((e) => keyOf(e) === policy.key)
        assert.isDefined(event)
        assert.strictEqual(event?._tag, "ObjectArrived")
        assert.deepStrictEqual([event?.accountId, event?.size], ["10020", png.length])
      }))

    it.effect("answers InternalError (500) when the arrival cannot be recorded, and a retried upload succeeds", () =>
      Effect.gen(function*() {
        const { policy, target } = yield* presign()
        yield* Ref.set(yield* FailingEvents, 1)
        const failed = yield* postForm(target, png, "image/png")
        assert.strictEqual(failed.status, 500, failed.body)
        assert.strictEqual(errorCode(failed.body), "InternalError")
        const before = (yield* Ref.get(yield* CapturedEvents)).filter((e) => keyOf(e) === policy.key)
        assert.strictEqual(before.length, 0)
        // The client retries the same form: the object is stored again and the arrival recorded.
        const retried = yield* postForm(target, png, "image/png")
        assert.strictEqual(retried.status, 204, retried.body)
        const after = (yield* Ref.get(yield* CapturedEvents)).filter((e) => keyOf(e) === policy.key)
        assert.strictEqual(after.length, 1)
      }))

    it.effect("stores an object outside originals/ without reporting an arrival (derivatives never trigger processing)", () =>
      Effect.gen(function*() {
        const key = `images/10020/${globalThis.crypto.randomUUID()}/1.jpg`
        const { target } = yield* presign({ key })
        const before = (yield* Ref.get(yield* CapturedEvents)).length
        const result = yield* postForm(target, png, "image/png")
        assert.strictEqual(result.status, 204, result.body)
        assert.isTrue(Option.isSome(yield* (yield* ObjectStore).head(key)))
        assert.strictEqual((yield* Ref.get(yield* CapturedEvents)).length, before)
      }))

    it.effect("stores a `file` part sent without a filename byte for byte, whatever its part headers (as S3 does)", () =>
      Effect.gen(function*() {
        // Every byte value, CRLFs, boundary-like dashes and invalid UTF-8; then a file past the form-field size limit.
        const tricky = new Uint8Array([
          ...Array.from({ length: 256 }, (_, i) => i),
          ...new TextEncoder().encode("\r\n\r\n--\r\n--not-the-boundary\r\n"),
          0xff, 0xd8, 0xff, 0xe0, 0x0d, 0x0a, 0x80, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x0d
        ])
        const large = new Uint8Array(Buffer.concat(Array.from({ length: 200 }, () => Buffer.from(tricky))))
        const cases = [
          { bytes: tricky, partHeaders: [] },
          { bytes: tricky, partHeaders: ["Content-Type: text/plain; charset=utf-8"] },
          { bytes: large, partHeaders: ["Content-Type: image/png"] }
        ]
        for (const { bytes, partHeaders } of cases) {
          const { policy, target } = yield* presign({ maxBytes: large.length })
          const result = yield* postRawFile(target, bytes, partHeaders)
          assert.strictEqual(result.status, 204, result.body)
          const stored = readFileSync(join(yield* StoreRoot, policy.key))
          assert.strictEqual(stored.length, bytes.length, `headers ${JSON.stringify(partHeaders)}`)
          assert.isTrue(Buffer.from(bytes).equals(stored), `headers ${JSON.stringify(partHeaders)}: bytes differ`)
        }
      }))

    it.effect("accepts x-ignore-* fields the policy does not mention, and ignores fields after the file", () =>
      Effect.gen(function*() {
        const { policy, target } = yield* presign()
        const result = yield* postForm(target, png, "image/png", {
          fields: { "x-ignore-trace": "abc" },
          after: { "x-amz-meta-unsigned": "ignored", key: "originals/10020/elsewhere" }
        })
        assert.strictEqual(result.status, 204, result.body)
        assert.isTrue(Option.isSome(yield* (yield* ObjectStore).head(policy.key)))
        assert.isTrue(Option.isNone(yield* (yield* ObjectStore).head("originals/10020/elsewhere")))
      }))

    it.effect("refuses an expired policy (AccessDenied)", () =>
      Effect.gen(function*() {
        const now = yield* nowSeconds
        const { policy, target } = yield* presign({ expiresAt: now - 5 })
        yield* rejected(target, policy.key, yield* postForm(target, png, "image/png"), 403, "AccessDenied")
      }))

    it.effect("refuses a bad signature (SignatureDoesNotMatch)", () =>
      Effect.gen(function*() {
        const { policy, target } = yield* presign()
        const signature = target.fields["X-Amz-Signature"] ?? ""
        const flipped = (signature[0] === "0" ? "1" : "0") + signature.slice(1)
        const result = yield* postForm(target, png, "image/png", { fields: { "X-Amz-Signature": flipped } })
        yield* rejected(target, policy.key, result, 403, "SignatureDoesNotMatch")
      }))

    it.effect("refuses a tampered policy: a larger size range keeps the old signature (SignatureDoesNotMatch)", () =>
      Effect.gen(function*() {
        const { policy, target } = yield* presign({ maxBytes: 4 })
        const document = decodePolicy(target.fields.Policy ?? "")
        const widened = {
          ...document,
          conditions: document.conditions.map((c) => Array.isArray(c) && c[0] === "content-length-range" ? [c[0], 1, 1000] : c)
        }
        const Policy = Buffer.from(JSON.stringify(widened)).toString("base64")
        const result = yield* postForm(target, png, "image/png", { fields: { Policy } })
        yield* rejected(target, policy.key, result, 403, "SignatureDoesNotMatch")
      }))

    it.effect("refuses another key than the one signed (AccessDenied)", () =>
      Effect.gen(function*() {
        const { target } = yield* presign()
        const other = `originals/10020/${globalThis.crypto.randomUUID()}`
        const result = yield* postForm(target, png, "image/png", { fields: { key: other } })
        yield* rejected(target, other, result, 403, "AccessDenied")
        assert.include(result.body, "$key")
      }))

    it.effect("refuses another Content-Type than the one signed (AccessDenied)", () =>
      Effect.gen(function*() {
        const { policy, target } = yield* presign()
        const result = yield* postForm(target, png, "image/png", { fields: { "Content-Type": "text/html" } })
        yield* rejected(target, policy.key, result, 403, "AccessDenied")
        assert.include(result.body, "$Content-Type")
      }))

    it.effect("refuses a file above the policy's range (EntityTooLarge)", () =>
      Effect.gen(function*() {
        const { policy, target } = yield* presign({ maxBytes: 11 })
        const result = yield* postForm(target, png, "image/png")
        yield* rejected(target, policy.key, result, 400, "EntityTooLarge")
        assert.include(result.body, "<MaxSizeAllowed>11</MaxSizeAllowed>")
      }))

    it.effect("stops reading an upload as soon as it passes the limit, storing nothing (EntityTooLarge)", () =>
      Effect.gen(function*() {
        const { policy, target } = yield* presign({ maxBytes: maxUploadBytes })
        const offered = 64 * maxUploadBytes
        const result = yield* postStreaming(target, offered)
        assert.strictEqual(result.status, 400, result.body)
        assert.strictEqual(errorCode(result.body), "EntityTooLarge")
        // Refused while the client was still producing the body: a fraction of it was ever read.
        assert.isBelow(result.producedBeforeResponse, offered / 4)
        assert.isTrue(Option.isNone(yield* (yield* ObjectStore).head(policy.key)))
        const dir = join(yield* StoreRoot, "originals/10020")
        assert.deepStrictEqual(readdirSync(dir).filter((f) => f.endsWith(".tmp")), [])
      }))

    it.effect("refuses an empty file and one below the range (EntityTooSmall)", () =>
      Effect.gen(function*() {
        const empty = yield* presign()
        yield* rejected(empty.target, empty.policy.key, yield* postForm(empty.target, new Uint8Array(0), "image/png"), 400, "EntityTooSmall")
        const exact = yield* presign({ minBytes: 13, maxBytes: 13 })
        yield* rejected(exact.target, exact.policy.key, yield* postForm(exact.target, png, "image/png"), 400, "EntityTooSmall")
      }))

    it.effect("refuses a form field the policy does not cover (AccessDenied)", () =>
      Effect.gen(function*() {
        const { policy, target } = yield* presign()
        const result = yield* postForm(target, png, "image/png", { fields: { "x-amz-meta-owner": "mallory" } })
        yield* rejected(target, policy.key, result, 403, "AccessDenied")
        assert.include(result.body, "Extra input fields: x-amz-meta-owner")
      }))

    it.effect("refuses a form without a file, or without the signed fields (InvalidArgument / AccessDenied)", () =>
      Effect.gen(function*() {
        const { policy, target } = yield* presign()
        yield* rejected(target, policy.key, yield* postForm(target, png, "image/png", { noFile: true }), 400, "InvalidArgument")
        yield* rejected(target, policy.key, yield* postForm(target, png, "image/png", { omit: ["Policy"] }), 403, "AccessDenied")
        yield* rejected(target, policy.key, yield* postForm(target, png, "image/png", { omit: ["X-Amz-Credential"] }), 400, "InvalidArgument")
      }))

    it.effect("refuses a body that is not multipart/form-data (PreconditionFailed)", () =>
      Effect.gen(function*() {
        const { policy, target } = yield* presign()
        const result = yield* Effect.promise(async () => {
          const response = await fetch(target.url, { method: "POST", body: new URLSearchParams(target.fields) })
          return { status: response.status, body: await response.text() }
        })
        yield* rejected(target, policy.key, result, 412, "PreconditionFailed")
      }))

    it.effect("refuses a signed key that would leave the store, and the store refuses to sign one", () =>
      Effect.gen(function*() {
        const root = yield* StoreRoot
        const error = yield* Effect.flip(presign({ key: "originals/../../escape" }))
        assert.strictEqual(error._tag, "StorageError")
        // Sign it anyway, as a leaked or forged signer would.
        const { policy, target } = yield* presign()
        const forged = yield* signWithStoreKeys(target.url, { ...policy, key: "../escape" })
        const result = yield* postForm(forged, png, "image/png")
        assert.strictEqual(result.status, 400, result.body)
        assert.strictEqual(errorCode(result.body), "InvalidArgument")
        assert.isFalse(existsSync(join(root, "..", "escape")))
        assert.isFalse(existsSync(join(root, "escape")))
      }))

    it.effect("answers a CORS preflight from an allowed origin, allowing POST and the requested headers", () =>
      Effect.gen(function*() {
        const { target } = yield* presign()
        const response = yield* preflight(target.url, allowedOrigin, "POST", "content-type,x-requested-with")
        assert.strictEqual(response.status, 200)
        assert.strictEqual(response.headers.get("access-control-allow-origin"), allowedOrigin)
        assert.include(response.headers.get("access-control-allow-methods") ?? "", "POST")
        assert.strictEqual(response.headers.get("access-control-allow-headers"), "content-type,x-requested-with")
        assert.include(response.headers.get("vary") ?? "", "Origin")
      }))

    it.effect("refuses a CORS preflight from another origin or for another method", () =>
      Effect.gen(function*() {
        const { target } = yield* presign()
        for (const [origin, method] of [["https://evil.example", "POST"], [allowedOrigin, "DELETE"]] as const) {
          const response = yield* preflight(target.url, origin, method)
          assert.strictEqual(response.status, 403)
          assert.isNull(response.headers.get("access-control-allow-origin"))
        }
      }))

    it.effect("lets an allowed origin read the upload's answer, success or error, and no other origin", () =>
      Effect.gen(function*() {
        const ok = yield* presign()
        const stored = yield* postForm(ok.target, png, "image/png", { headers: { origin: allowedOrigin } })
        assert.strictEqual(stored.status, 204)
        assert.strictEqual(stored.headers.get("access-control-allow-origin"), allowedOrigin)
        assert.include(stored.headers.get("access-control-expose-headers") ?? "", "ETag")
        const bad = yield* presign()
        const refused = yield* postForm(bad.target, png, "text/plain", { headers: { origin: allowedOrigin }, omit: ["Policy"] })
        assert.strictEqual(refused.status, 403)
        assert.strictEqual(refused.headers.get("access-control-allow-origin"), allowedOrigin)
        const other = yield* presign()
        const foreign = yield* postForm(other.target, png, "image/png", { headers: { origin: "https://evil.example" } })
        assert.isNull(foreign.headers.get("access-control-allow-origin"))
      }))
  })
})

const preflight = (url: string, origin: string, method: string, headers?: string) =>
  Effect.promise(() =>
    fetch(url, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": method,
        ...(headers === undefined ? {} : { "access-control-request-headers": headers })
      }
    })
  )

/** POSTs the signed form with a `file` part that has no filename (and the given part headers), built byte by byte. */
const postRawFile = (target: UploadTarget, bytes: Uint8Array, partHeaders: ReadonlyArray<string>) =>
  Effect.promise(async () => {
    const boundary = "----raw-file-part-boundary-7f3a"
    const fields = Object.entries(target.fields)
      .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
      .join("")
    const fileHead = [`--${boundary}`, "Content-Disposition: form-data; name=\"file\"", ...partHeaders, "", ""].join("\r\n")
    const body = Buffer.concat([Buffer.from(fields + fileHead), Buffer.from(bytes), Buffer.from(`\r\n--${boundary}--\r\n`)])
    const response = await fetch(target.url, {
      method: "POST",
      body,
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` }
    })
    return { status: response.status, body: await response.text() }
  })
