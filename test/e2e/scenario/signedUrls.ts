/**
 * Both kinds of signed URL from the outside: the download URLs a ready file
 * carries (refused once tampered with) and the upload policy (refused by
 * storage when the form steps outside it).
 */
import { assert, type Vitest } from "@effect/vitest"
import { Effect } from "effect"
import { E2eServer, maxUploadBytes, type Mode } from "../../support/servers.ts"
import { fetchUrl, fixture, get, postUpload, requestUpload, settled, upload } from "../client.ts"

const png = fixture("tricky/with-alpha.png")

const withParam = (url: string, name: string, change: (value: string) => string) => {
  const parsed = new URL(url)
  parsed.searchParams.set(name, change(parsed.searchParams.get(name) ?? ""))
  return parsed.toString()
}

/** Flips one character in the middle of a base64 signature to another valid one. */
const flip = (value: string) => {
  const i = Math.floor(value.length / 2)
  return value.slice(0, i) + (value[i] === "A" ? "B" : "A") + value.slice(i + 1)
}

const decodePolicy = (policy: string) => JSON.parse(Buffer.from(policy, "base64").toString("utf8"))

export const signedUrls = <R>(it: Vitest.MethodsNonLive<E2eServer | R>, mode: Mode) => {
  it.effect("download URLs refuse a changed path, query or signature", () =>
    Effect.gen(function*() {
      const file = yield* settled(yield* upload("SU1|SKU-1|DAMAGED|D1", png, "image/png"))
      assert.strictEqual(file.status, "ready", JSON.stringify(file))
      const url: string = file.download_url
      assert.strictEqual((yield* fetchUrl(url)).status, 200)
      // One custom policy covers the file's image and thumbnail: both URLs carry the same signature.
      assert.strictEqual(url.replace("/images/", "/thumbnails/"), file.thumbnail_url)
      assert.strictEqual((yield* fetchUrl(file.thumbnail_url)).status, 200)
      const query = url.slice(url.indexOf("?") + 1)
      const tail = /(\/[^/]+\/[^/]+\/\d+\.jpg)\?/.exec(url)![1]!
      const tampered = {
        // Another attempt's object, another file's, the original, and the original with the tail in a query.
        attempt: url.replace(/\/\d+\.jpg\?/, "/9.jpg?"),
        otherFile: url.replace(file.file_id, "00000000-0000-4000-8000-000000000000"),
        original: url.replace(/\/images\/([^/]+)\/([^/]+)\/\d+\.jpg/, "/originals/$1/$2"),
        queryTrick: `${url.slice(0, url.indexOf("/images/"))}/originals${tail.replace(/\/\d+\.jpg$/, "")}?x=${tail}&${query}`,
        expires: withParam(url, "Expires", () => "4102444800"),
        policy: withParam(url, "Policy", flip),
        signature: withParam(url, "Signature", flip),
        keyPair: withParam(url, "Key-Pair-Id", (value) => `${value}X`),
        unsigned: url.split("?")[0] ?? ""
      }
      for (const [name, bad] of Object.entries(tampered)) {
        assert.notStrictEqual(bad, url, name)
        const reply = yield* fetchUrl(bad)
        assert.strictEqual(reply.status, 403, `${name}: ${reply.text}`)
        assert.include(reply.text, "AccessDenied", name)
      }
    }))

  it.effect("the upload policy pins the key, the declared type and the size range", () =>
    Effect.gen(function*() {
      const ticket = yield* requestUpload("SU2|SKU-1|DAMAGED|D1", "image/png", undefined, { file_size: png.length })
      assert.strictEqual(ticket.fields.key, `originals/10020/${ticket.file_id}`)
      assert.strictEqual(ticket.fields["Content-Type"], "image/png")
      const policy = decodePolicy(ticket.fields.policy ?? ticket.fields.Policy ?? "")
      const conditions = JSON.stringify(policy.conditions)
      assert.include(conditions, JSON.stringify(["content-length-range", png.length, png.length]))
      assert.include(conditions, `"key":"originals/10020/${ticket.file_id}"`)
      assert.include(conditions, `"Content-Type":"image/png"`)
      const lifetime = Date.parse(policy.expiration) / 1000 - Math.floor(Date.now() / 1000)
      assert.approximately(lifetime, 900, 60)
      assert.approximately(ticket.expires_at, Math.floor(Date.now() / 1000) + 900, 60)
    }))

  // s3rver (aws mode) stores whatever is posted: enforcing the policy is S3's job there,
  // so only the embedded endpoint is held to it; the policy's content is checked above in both modes.
  if (mode !== "embedded") return
  it.effect("storage refuses a form outside the policy; the file stays uploading", () =>
    Effect.gen(function*() {
      const server = yield* E2eServer
      const ticket = yield* requestUpload("SU3|SKU-1|DAMAGED|D1", "image/png", undefined, { file_size: png.length })
      const refusals = [
        { name: "wrong content type", post: postUpload(ticket, png, "image/jpeg", { "Content-Type": "image/jpeg" }), status: 403 },
        { name: "other size than declared", post: postUpload(ticket, new Uint8Array([...png, 0]), "image/png"), status: 400 },
        { name: "wrong key", post: postUpload(ticket, png, "image/png", { key: "originals/10020/other" }), status: 403 },
        { name: "another account's key", post: postUpload(ticket, png, "image/png", { key: "originals/20030/x" }), status: 403 }
      ]
      for (const refusal of refusals) {
        const reply = yield* refusal.post
        assert.strictEqual(reply.status, refusal.status, `${refusal.name}: ${reply.text}`)
        assert.match(reply.text, /<Error><Code>\w+<\/Code>/, refusal.name)
      }
      // Over the server's maximum, without a declared size.
      const open = yield* requestUpload("SU3|SKU-1|DAMAGED|D2", "image/png")
      const tooLarge = yield* postUpload(open, new Uint8Array(maxUploadBytes + 1), "image/png")
      assert.strictEqual(tooLarge.status, 400, tooLarge.text)
      assert.include(tooLarge.text, "EntityTooLarge")

      const stored = yield* server.objectKeys
      for (const fileId of [ticket.file_id, open.file_id]) {
        assert.isFalse(stored.some((key) => key.includes(fileId)), "nothing stored")
        assert.strictEqual((yield* get(`/v1/media/${fileId}`)).json.status, "uploading")
      }
    }))
}
