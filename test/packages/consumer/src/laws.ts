/**
 * A consumer's own property test over the published laws and arbitraries: core's laws as they
 * ship (entity keys, cursors, the lifecycle), and one property of the consumer's own built from
 * core's arbitraries. Prints how many passed; a counterexample throws (exit code 1).
 */
import * as fc from "fast-check"
import { Result } from "effect"
import { keyParts, matches, parsePrefix } from "@media-object-storage/core/EntityKey"
import { Arbitraries, Laws } from "@media-object-storage/testing"

let passed = 0
const runs = { numRuns: 100 }
fc.assert(Laws.keyRoundTrip(), runs), passed++
fc.assert(Laws.prefixMatchesNaive(), runs), passed++
fc.assert(Laws.malformedKeyRefused(), runs), passed++
fc.assert(Laws.neverIllegal(), runs), passed++
fc.assert(Laws.idempotentUnderRedelivery(), runs), passed++
await fc.assert(Laws.cursorRoundTrip(), { numRuns: 30 }), passed++
await fc.assert(Laws.cursorTamperRefused(), { numRuns: 30 }), passed++
// The consumer's own property: a shipment id, as a prefix, finds every photo key of that shipment.
fc.assert(
  fc.property(Arbitraries.entityKey("shipment_item"), (key) => {
    const shipment = Result.getOrThrow(parsePrefix("shipment_item", keyParts(key)[0]!))
    return matches(shipment, key)
  }),
  runs
), passed++
console.log(`laws passed: ${passed}`)
