import { assert, describe, it } from "@effect/vitest"
import { matchesSearch, parseSearch, partProblem } from "../../web/src/entityKey.ts"
import { failureText } from "../../web/src/labels.ts"

describe("web entityKey", () => {
  it("parses 1 to 4 trimmed parts", () => {
    assert.deepStrictEqual(parseSearch(" 1RT823V93 "), { parts: ["1RT823V93"] })
    assert.deepStrictEqual(parseSearch("1RT823V93 | SKU-001|DAMAGED|d1"), { parts: ["1RT823V93", "SKU-001", "DAMAGED", "d1"] })
  })

  it("explains empty parts, a fifth part, long parts and control characters", () => {
    assert.deepStrictEqual(parseSearch("1RT823V93|"), { problem: "The SKU is empty." })
    assert.deepStrictEqual(parseSearch(""), { problem: "The shipment is empty." })
    assert.include((parseSearch("a|b|c|d|e") as { problem: string }).problem, "at most 4 parts")
    assert.strictEqual(partProblem("x".repeat(129), "SKU"), "The SKU is longer than 128 characters.")
    assert.strictEqual(partProblem("a\u0007b", "SKU"), "The SKU contains a control character.")
    assert.isUndefined(partProblem("x".repeat(128), "SKU"))
  })

  it("matches whole parts only, as the API does", () => {
    assert.isTrue(matchesSearch("1RT823V93|SKU-001|DAMAGED|d1", ["1RT823V93"]))
    assert.isTrue(matchesSearch("1RT823V93|SKU-001|DAMAGED|d1", ["1RT823V93", "SKU-001"]))
    assert.isFalse(matchesSearch("1RT823V930|SKU-001|DAMAGED|d1", ["1RT823V93"]))
    assert.isFalse(matchesSearch("1RT823V93|SKU-0011|DAMAGED|d1", ["1RT823V93", "SKU-001"]))
  })

  it("words every failure reason of SPEC §6, and unknown ones too", () => {
    for (const reason of ["unsupported_format", "corrupt_image", "too_many_pixels", "too_large", "size_mismatch", "upload_expired", "processing_error"]) {
      assert.notInclude(failureText(reason), reason)
    }
    assert.strictEqual(failureText("brand_new_reason"), "Processing failed (brand_new_reason).")
  })
})
