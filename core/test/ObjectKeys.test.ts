import { assert, describe, it } from "@effect/vitest"
import { Option } from "effect"
import type { AccountId, FileId } from "../src/Ids.ts"
import { imageKey, originalKey, parseDerivativeKey, thumbnailKey } from "../src/ObjectKeys.ts"

const account = "10020" as AccountId
const fileId = "0b7e8e0a-3c1e-4b8e-9d0f-6a1f2e3d4c5b" as FileId

describe("parseDerivativeKey", () => {
  it("round-trips the keys imageKey and thumbnailKey write", () => {
    for (const attempt of [1, 2, 3, 123_456_789]) {
      for (const key of [imageKey(account, fileId, attempt), thumbnailKey(account, fileId, attempt)]) {
        assert.deepStrictEqual(parseDerivativeKey(key), Option.some({ accountId: account, fileId, attempt }), key)
      }
    }
  })

  it("rejects originals and every other shape", () => {
    for (
      const key of [
        originalKey(account, fileId),
        `images/${account}/${fileId}`,
        `images/${account}/${fileId}/0.jpg`,
        `images/${account}/${fileId}/01.jpg`,
        `images/${account}/${fileId}/1.png`,
        `images/${account}/${fileId}/1.jpg/x`,
        `previews/${account}/${fileId}/1.jpg`,
        `images/${account}/${fileId.toUpperCase()}/1.jpg`,
        `images/a b/${fileId}/1.jpg`,
        `images//${fileId}/1.jpg`,
        ""
      ]
    ) {
      assert.isTrue(Option.isNone(parseDerivativeKey(key)), key)
    }
  })
})
