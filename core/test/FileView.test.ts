import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fc from "fast-check"
import type { FileRecord, VisibleStatus } from "../src/FileRecord.ts"
import { makeToView } from "../src/FileView.ts"
import { defaultMediaConfig } from "../src/MediaConfig.ts"
import { type Derivatives, UrlSigner } from "../src/ports/UrlSigner.ts"
import { uploadingRecord } from "./fixtures.ts"

/** A signer that records what it is asked to sign. */
const recording = () => {
  const calls: Array<{ readonly derivatives: Derivatives; readonly expiresAt: number }> = []
  const signer = UrlSigner.of({
    sign: () => Effect.die("a view signs a file's pair, never single keys"),
    signDerivatives: (derivatives, expiresAt) => {
      calls.push({ derivatives, expiresAt })
      return Effect.succeed({ image: `image:${derivatives.fileId}`, thumbnail: `thumbnail:${derivatives.fileId}` })
    }
  })
  return { calls, signer }
}

const ready = (): FileRecord & { readonly status: VisibleStatus } =>
  uploadingRecord({ status: "ready", attempts: 2, width: 800, height: 600, fileSize: 1234 }) as FileRecord & { readonly status: VisibleStatus }

describe("FileView", () => {
  it.effect("signs a ready file's image and thumbnail with one signDerivatives call, for its winning attempt", () =>
    Effect.gen(function*() {
      const { calls, signer } = recording()
      const toView = makeToView(signer, defaultMediaConfig)
      const record = ready()
      const view = yield* toView(record, 1_000)
      assert.deepStrictEqual(calls, [{ derivatives: { accountId: record.accountId, fileId: record.fileId, attempt: 2 }, expiresAt: 4_620 }])
      assert.strictEqual(view.download_url, `image:${record.fileId}`)
      assert.strictEqual(view.thumbnail_url, `thumbnail:${record.fileId}`)
      assert.strictEqual(view.download_expires_at, 4_620)
      assert.strictEqual(view.thumbnail_expires_at, 4_620)
    }))

  it.effect("signs nothing for a file that is not ready", () =>
    Effect.gen(function*() {
      const { calls, signer } = recording()
      const toView = makeToView(signer, defaultMediaConfig)
      for (const status of ["uploading", "uploaded", "processing", "failed"] as const) {
        const view = yield* toView(uploadingRecord({ status }) as FileRecord & { readonly status: VisibleStatus }, 1_000)
        assert.isUndefined(view.download_url)
      }
      assert.lengthOf(calls, 0)
    }))

  it.effect("expires on a whole minute, 3600-3659 s after the read", () =>
    Effect.gen(function*() {
      const { calls, signer } = recording()
      const toView = makeToView(signer, defaultMediaConfig)
      for (const now of fc.sample(fc.integer({ min: 0, max: 4_000_000_000 }), { numRuns: 200, seed: 3 })) {
        const view = yield* toView(ready(), now)
        const expiresAt = view.download_expires_at!
        assert.strictEqual(expiresAt % 60, 0, String(now))
        assert.isAtLeast(expiresAt - now, 3600, String(now))
        assert.isAtMost(expiresAt - now, 3659, String(now))
      }
      assert.lengthOf(calls, 200)
    }))
})
