import { assert, describe, it } from "@effect/vitest"
import { Result } from "effect"
import * as fc from "fast-check"
import { failureReasons, type FileRecord } from "../src/FileRecord.ts"
import { apply, type FileEvent, invariantViolations, maxAttempts, transitions } from "../src/FileState.ts"
import { uploadingRecord } from "./fixtures.ts"

/** A record, or gone after Deleted. */
type State = FileRecord | "gone"

/** An event whose attempt may be "the current one", resolved against the record when first delivered. */
type Template = { readonly event: FileEvent; readonly currentAttempt: boolean }

const now = fc.integer({ min: 900, max: 4_000 })
const attempt = fc.integer({ min: 0, max: maxAttempts + 1 })
const reason = fc.oneof(
  { weight: 3, arbitrary: fc.constant("processing_error" as const) },
  { weight: 1, arbitrary: fc.constantFrom(...failureReasons) }
)
// Weighted so that runs often get through several attempts before a (rare) delete.
const eventArb: fc.Arbitrary<FileEvent> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      _tag: fc.constant("ObjectCreated" as const),
      now,
      size: fc.integer({ min: 1, max: 1e6 }),
      redispatchAt: now
    })
  },
  { weight: 6, arbitrary: fc.record({ _tag: fc.constant("ProcessingStarted" as const), now, leaseUntil: now }) },
  {
    weight: 3,
    arbitrary: fc.record({
      _tag: fc.constant("Processed" as const),
      now,
      attempt,
      size: fc.integer({ min: 1, max: 1e6 }),
      width: fc.integer({ min: 1, max: 4096 }),
      height: fc.integer({ min: 1, max: 4096 })
    })
  },
  { weight: 5, arbitrary: fc.record({ _tag: fc.constant("ProcessingFailed" as const), now, attempt, reason, retryAt: now }) },
  { weight: 2, arbitrary: fc.record({ _tag: fc.constant("ProcessingDeferred" as const), now, attempt, retryAt: now }) },
  { weight: 3, arbitrary: fc.record({ _tag: fc.constant("LeaseExpired" as const), now, redispatchAt: now }) },
  { weight: 2, arbitrary: fc.record({ _tag: fc.constant("UploadExpired" as const), now }) },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("Deleted" as const), now }) },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("Purged" as const), now }) },
  { weight: 2, arbitrary: fc.record({ _tag: fc.constant("CleanedUp" as const), now }) }
)
// Three in four events name the current attempt; the rest are stale, premature or made up.
const currentAttempt = fc.integer({ min: 0, max: 3 }).map((n) => n > 0)
const templates = fc.array(fc.record({ event: eventArb, currentAttempt }), { maxLength: 40, size: "max" })

/** Delivers one event; illegal events are refused and must leave the record as it was. */
const step = (state: State, event: FileEvent): State => {
  if (state === "gone") return state
  const outcome = apply(state, event)
  if (Result.isFailure(outcome)) {
    assert.isTrue(
      outcome.failure.from === "uploading" || event._tag === "Purged",
      "only an upload that never arrived, or a live file asked to be purged, refuses events"
    )
    return state
  }
  switch (outcome.success._tag) {
    case "Removed":
      assert.strictEqual(state.status, "deleting", "only a tombstone is ever removed")
      return "gone"
    case "Unchanged":
      return state
    case "Changed": {
      const next = outcome.success.record
      assert.strictEqual(next.version, state.version + 1)
      assert.deepStrictEqual(invariantViolations(next), [])
      assert.isAtMost(next.attempts, maxAttempts)
      return next
    }
  }
}

/** Single delivery, also fixing each template's attempt into a concrete event. */
const deliverOnce = (base: FileRecord, ts: ReadonlyArray<Template>): { final: State; events: ReadonlyArray<FileEvent> } => {
  let state: State = base
  const events: Array<FileEvent> = []
  for (const t of ts) {
    const event = t.currentAttempt && "attempt" in t.event && state !== "gone"
      ? { ...t.event, attempt: state.attempts }
      : t.event
    events.push(event)
    state = step(state, event)
  }
  return { final: state, events }
}

/** A state without what an extra clean-up of a final file may change: the version, and a final file's due time. */
const modCleanUp = (state: State): unknown => {
  if (state === "gone" || (state.status !== "ready" && state.status !== "failed" && state.status !== "deleting")) return state
  const { version: _v, dueAt, ...rest } = state
  return state.status === "deleting" ? { ...rest, dueAt } : rest
}

describe("FileState", () => {
  it("never reaches an illegal state, whatever events arrive", () =>
    fc.assert(fc.property(templates, (ts) => void deliverOnce(uploadingRecord(), ts)), { numRuns: 300 }))

  it("ends where single delivery ends when every event is delivered 1 to 3 times in a row", () =>
    fc.assert(
      fc.property(templates, fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 40, maxLength: 40 }), (ts, copies) => {
        const base = uploadingRecord()
        const { events, final: once } = deliverOnce(base, ts)
        let state: State = base
        for (const [i, e] of events.entries()) {
          for (let c = 0; c < copies[i]!; c++) state = step(state, e)
        }
        assert.deepStrictEqual(state, once)
      }),
      { numRuns: 300 }
    ))

  it("ends where single delivery ends when storage redelivers ObjectCreated or UploadExpired later", () =>
    fc.assert(
      fc.property(templates, fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 6 }), (ts, redeliveries) => {
        const base = uploadingRecord()
        const { events, final: once } = deliverOnce(base, ts)
        const storage = events.map((e, i) => [e, i] as const).filter(([e]) =>
          e._tag === "ObjectCreated" || e._tag === "UploadExpired"
        )
        // Insert copies of storage events at positions after their original delivery.
        const delivered: Array<FileEvent> = [...events]
        const inserts: Array<readonly [number, FileEvent]> = []
        for (const [pick, offset] of redeliveries) {
          if (storage.length === 0) break
          const [event, at] = storage[pick % storage.length]!
          inserts.push([at + 1 + (offset % (events.length - at)), event])
        }
        for (const [at, event] of inserts.sort((a, b) => b[0] - a[0])) delivered.splice(at, 0, event)
        // A late ObjectCreated may be a replayed POST with new bytes: a final file becomes due for one more
        // clean-up. That may move the version (and the due time of a final file) on; nothing else differs.
        assert.deepStrictEqual(modCleanUp(delivered.reduce<State>(step, base)), modCleanUp(once))
      }),
      { numRuns: 300 }
    ))

  it("never starts more than maxAttempts attempts even when every attempt fails transiently", () =>
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), (tries) => {
        let state: State = step(uploadingRecord(), { _tag: "ObjectCreated", now: 1_000, size: 10, redispatchAt: 1_060 })
        for (let i = 0; i < tries; i++) {
          if (state === "gone") break
          state = step(state, { _tag: "ProcessingStarted", now: 1_000 + i, leaseUntil: 1_300 + i })
          if (state === "gone") break
          state = step(state, { _tag: "ProcessingFailed", now: 1_001 + i, attempt: state.attempts, reason: "processing_error", retryAt: 1_030 + i })
        }
        assert.notStrictEqual(state, "gone")
        if (state === "gone") return
        assert.isAtMost(state.attempts, maxAttempts)
        assert.strictEqual(state.status, tries >= maxAttempts ? "failed" : "uploaded")
      })
    ))

  it("makes a final file due for clean-up whenever an original arrives for it, whatever came before", () =>
    fc.assert(
      fc.property(templates, fc.integer({ min: 1, max: 1e6 }), (ts, size) => {
        const { final } = deliverOnce(uploadingRecord({ declaredSize: 500 }), ts)
        if (final === "gone" || (final.status !== "ready" && final.status !== "failed")) return
        const after = step(final, { _tag: "ObjectCreated", now: 5_000, size, redispatchAt: 5_060 })
        assert.notStrictEqual(after, "gone")
        if (after === "gone") return
        assert.strictEqual(after.status, final.status)
        assert.isDefined(after.dueAt)
      }),
      { numRuns: 300 }
    ))

  it("never reaches an illegal state with a declared size and arrivals of any size", () =>
    fc.assert(
      fc.property(templates, (ts) => {
        const { final } = deliverOnce(uploadingRecord({ declaredSize: 500 }), ts)
        if (final !== "gone" && final.status === "failed" && final.failureReason === "size_mismatch") {
          assert.notStrictEqual(final.fileSize, 500)
        }
      }),
      { numRuns: 300 }
    ))

  it("never uses up an attempt, nor fails a file, however long the store stays unavailable", () =>
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: maxAttempts - 1 }), (outages, failuresBefore) => {
        let state: State = step(uploadingRecord(), { _tag: "ObjectCreated", now: 1_000, size: 10, redispatchAt: 1_060 })
        for (let i = 0; i < failuresBefore; i++) {
          state = step(state, { _tag: "ProcessingStarted", now: 1_000, leaseUntil: 1_300 })
          if (state === "gone") return
          state = step(state, { _tag: "ProcessingFailed", now: 1_001, attempt: state.attempts, reason: "processing_error", retryAt: 1_030 })
        }
        for (let i = 0; i < outages; i++) {
          state = step(state, { _tag: "ProcessingStarted", now: 2_000 + i, leaseUntil: 2_300 + i })
          if (state === "gone") return
          state = step(state, { _tag: "ProcessingDeferred", now: 2_001 + i, attempt: state.attempts, retryAt: 2_030 + i })
        }
        assert.notStrictEqual(state, "gone")
        if (state === "gone") return
        assert.strictEqual(state.status, "uploaded")
        assert.strictEqual(state.attempts, failuresBefore)
        assert.strictEqual(state.deferrals, outages)
      })
    ))

  it("lets nothing move a tombstone but Purged, which removes the record", () => {
    assert.deepStrictEqual(
      Object.entries(transitions.deleting).filter(([, rule]) => rule !== "noop"),
      [["Purged", "removed"]]
    )
  })
})
