/**
 * The laws can fail: each cursor law is run against a Cursors that breaks exactly what it guards,
 * and must find a counterexample. The event arbitraries reach every status, so the lifecycle laws
 * exercise more than stale no-ops.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cursors } from "@media-object-storage/core/Cursors"
import { fileStatuses } from "@media-object-storage/core/FileRecord"
import * as Arbitraries from "@media-object-storage/testing/arbitraries"
import * as Laws from "@media-object-storage/testing/laws"
import { Effect, Layer, Redacted } from "effect"
import * as fc from "fast-check"

/** Wraps the real Cursors of `Cursors.layerTest`, changing what `decode` is shown. */
const tweaked = (f: (real: Cursors["Service"]) => Cursors["Service"]) =>
  Layer.effect(Cursors, Effect.map(Cursors, f)).pipe(Layer.provide(Cursors.layerTest))

/** Ignores the binding: every cursor is checked as if presented for one fixed query. */
const ignoresBinding = tweaked((real) => {
  const fixed = { accountId: "a", entityType: "t", match: "m|" }
  return Cursors.of({ encode: (_b, p) => real.encode(fixed, p), decode: (_b, c) => real.decode(fixed, c) })
})

/** Accepts anything whose payload parses: no signature check. */
const unsigned = Cursors.of({
  encode: (_b, p) => Effect.succeed(`c1.${btoa(JSON.stringify([p.entityId, p.createdAt, p.fileId]))}.x`),
  decode: (_b, cursor) => Effect.succeed({ entityId: cursor, createdAt: 0, fileId: "" })
})

const fails = async <Ts>(law: fc.IAsyncProperty<Ts>) => {
  const details = await fc.check(law, { numRuns: 100, seed: 42 })
  assert.isTrue(details.failed, "the law found no counterexample against a broken implementation")
}

describe("Laws", () => {
  it("cursorBoundToQuery fails for a Cursors that ignores the binding", () => fails(Laws.cursorBoundToQuery(ignoresBinding)))

  it("cursorTamperRefused and cursorGarbageRefused fail for a Cursors that checks no signature", async () => {
    await fails(Laws.cursorTamperRefused(Layer.succeed(Cursors, unsigned)))
    await fails(Laws.cursorGarbageRefused(Layer.succeed(Cursors, unsigned)))
  })

  it("cursorRoundTrip fails for a Cursors that loses the position", () => fails(Laws.cursorRoundTrip(Layer.succeed(Cursors, unsigned))))

  it("cursorForeignSecretRefused fails when both sides share the secret", () =>
    fails(Laws.cursorForeignSecretRefused(Cursors.layerTest, Cursors.layerTest)))

  it("the laws hold for core's own Cursors under another secret", () =>
    fc.assert(Laws.cursorBoundToQuery(Cursors.layer(Redacted.make(new Uint8Array(32).fill(3)))), { numRuns: 20 }))

  it("event sequences bring a file to every status, and step reports an illegal outcome", () => {
    const seen = new Set<string>()
    for (const [base, templates] of fc.sample(fc.tuple(Arbitraries.uploadingRecord(), Arbitraries.eventSequence()), { numRuns: 400, seed: 7 })) {
      const { final } = Laws.deliverOnce(base, templates)
      seen.add(final === "gone" ? "gone" : final.status)
    }
    assert.deepStrictEqual([...seen].sort(), [...fileStatuses, "gone"].sort())
    // Purged on a live file is refused by the table and tolerated by step; a ready record claiming 4 attempts is not.
    const ready = { ...fc.sample(Arbitraries.uploadingRecord(), { numRuns: 1, seed: 1 })[0]!, status: "ready" as const, attempts: 9 }
    assert.throws(() => Laws.step(ready, { _tag: "Deleted", now: 5_000 }), /attempts|invariants/)
  })
})
