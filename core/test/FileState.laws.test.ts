/**
 * The file lifecycle under any event sequence (SPEC §6): the laws consumers get from
 * @media-object-storage/testing, plus what the transition table itself says about tombstones.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Laws from "@media-object-storage/testing/laws"
import * as fc from "fast-check"
import { transitions } from "../src/FileState.ts"

const runs = { numRuns: 300 }

describe("FileState", () => {
  it("never reaches an illegal state, whatever events arrive", () => fc.assert(Laws.neverIllegal(), runs))

  it("ends where single delivery ends when every event is delivered 1 to 3 times in a row", () =>
    fc.assert(Laws.idempotentUnderRedelivery(), runs))

  it("ends where single delivery ends when storage redelivers ObjectCreated or UploadExpired later", () =>
    fc.assert(Laws.idempotentUnderLateStorageEvents(), runs))

  it("never starts more than maxAttempts attempts even when every attempt fails transiently", () =>
    fc.assert(Laws.attemptsBounded()))

  it("makes a final file due for clean-up whenever an original arrives for it, whatever came before", () =>
    fc.assert(Laws.finalFileDueAgainOnArrival(), runs))

  it("never reaches an illegal state with a declared size and arrivals of any size", () =>
    fc.assert(Laws.neverIllegalWithDeclaredSize(), runs))

  it("never uses up an attempt, nor fails a file, however long the store stays unavailable", () =>
    fc.assert(Laws.outagesUseNoAttempts()))

  it("lets nothing move a tombstone but Purged, which removes the record", () => {
    assert.deepStrictEqual(
      Object.entries(transitions.deleting).filter(([, rule]) => rule !== "noop"),
      [["Purged", "removed"]]
    )
  })
})
