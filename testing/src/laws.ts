/**
 * The laws of `@media-object-storage/core` as fast-check properties: run one with
 * `fc.assert(law, { numRuns })`. Entity keys (SPEC §4), search cursors (SPEC §3) and the file
 * lifecycle (SPEC §6). Core's own test suite runs exactly these. A law that breaks throws an
 * `Error` naming what broke, which fast-check reports with the shrunk counterexample.
 */
import { type CursorBinding, Cursors } from "@media-object-storage/core/Cursors"
import { formatKey, keyParts as partsOfKey, matches, parseKey, parsePrefix, separator } from "@media-object-storage/core/EntityKey"
import type { EntityType } from "@media-object-storage/core/EntityType"
import type { FileRecord } from "@media-object-storage/core/FileRecord"
import { apply, type FileEvent, invariantViolations, maxAttempts } from "@media-object-storage/core/FileState"
import type { SortPosition } from "@media-object-storage/core/SortPosition"
import { Effect, type Layer, Redacted, Result } from "effect"
import * as fc from "fast-check"
import * as A from "./arbitraries.ts"

/** Throws when `condition` is false: how a law reports a counterexample. */
const check = (condition: boolean, message: string): void => {
  if (!condition) throw new Error(message)
}

const show = (value: unknown): string => JSON.stringify(value, (_k, v) => (v === undefined ? "<undefined>" : v))

/** Deep equality of plain data (records, arrays, primitives), as `assert.deepStrictEqual` on JSON-like values. */
export const sameData = (a: unknown, b: unknown): boolean => {
  if (Object.is(a, b)) return true
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.length !== kb.length) return false
  return ka.every((k) => Object.hasOwn(b, k) && sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}

const expectEqual = (actual: unknown, expected: unknown, what: string): void =>
  check(sameData(actual, expected), `${what}: expected ${show(expected)}, got ${show(actual)}`)

/** The type the laws run on: the given one, or any entity type core knows. */
const typeArb = (type: EntityType | undefined): fc.Arbitrary<EntityType> =>
  type === undefined ? A.entityType : fc.constant(type)

// ---------------------------------------------------------------------------------------------
// Entity keys (SPEC §4). Each law takes an optional entity type; without one it draws any.
// ---------------------------------------------------------------------------------------------

/** `formatKey` accepts any valid parts within the key limits; `keyParts` gives them back; `parseKey` keeps the key. */
export const keyRoundTrip = (type?: EntityType) =>
  fc.property(typeArb(type).chain((t) => fc.tuple(fc.constant(t), A.keyParts(t))), ([t, parts]) => {
    const key = formatKey(t, parts)
    check(Result.isSuccess(key), `formatKey refused valid parts ${show(parts)}`)
    if (Result.isFailure(key)) return
    expectEqual(partsOfKey(key.success), parts, "keyParts(formatKey(parts))")
    expectEqual(Result.getOrUndefined(parseKey(t, key.success)), key.success, "parseKey(key)")
  })

/** A complete key with one malformed part (`Arbitraries.invalidPart`) is refused by `parseKey` and `formatKey`. */
export const malformedKeyRefused = (type?: EntityType) =>
  fc.property(
    typeArb(type).chain((t) => fc.tuple(fc.constant(t), A.keyParts(t), A.invalidPart, fc.nat(A.partCount(t) - 1))),
    ([t, parts, bad, at]) => {
      const broken = parts.map((p, i) => (i === at ? bad : p))
      check(Result.isFailure(parseKey(t, broken.join(separator))), `parseKey accepted ${show(broken)}`)
      check(Result.isFailure(formatKey(t, broken)), `formatKey accepted ${show(broken)}`)
    }
  )

/** A search prefix with one malformed part (`Arbitraries.invalidPartText`) is refused by `parsePrefix`. */
export const malformedPrefixRefused = (type?: EntityType) =>
  fc.property(
    typeArb(type).chain((t) => fc.tuple(fc.constant(t), A.prefixParts(t), A.invalidPartText, fc.nat())),
    ([t, parts, bad, at]) => {
      const broken = parts.map((p, i) => (i === at % parts.length ? bad : p))
      check(Result.isFailure(parsePrefix(t, broken.join(separator))), `parsePrefix accepted ${show(broken)}`)
    }
  )

/**
 * Of 1 to twice `partCount` valid short parts, `parseKey` accepts exactly `partCount`, `parsePrefix`
 * 1 to `partCount`; a trailing (or, for prefixes, leading) separator is always refused.
 */
export const partCountChecked = (type?: EntityType) =>
  fc.property(
    typeArb(type).chain((t) =>
      fc.tuple(fc.constant(t), fc.array(A.keyPart({ maxLength: 20 }), { minLength: 1, maxLength: 2 * A.partCount(t) }))
    ),
    ([t, parts]) => {
      const raw = parts.join(separator)
      const n = A.partCount(t)
      check(Result.isSuccess(parseKey(t, raw)) === (parts.length === n), `parseKey on ${parts.length} parts`)
      check(Result.isSuccess(parsePrefix(t, raw)) === (parts.length <= n), `parsePrefix on ${parts.length} parts`)
      check(Result.isFailure(parseKey(t, raw + separator)), "parseKey accepted a trailing separator")
      check(Result.isFailure(parsePrefix(t, raw + separator)), "parsePrefix accepted a trailing separator")
      check(Result.isFailure(parsePrefix(t, separator + raw)), "parsePrefix accepted a leading separator")
    }
  )

/** The reference for `matches`: a prefix matches a key when its parts equal the key's leading parts. */
export const naiveMatches = (prefixParts: ReadonlyArray<string>, key: string): boolean => {
  const parts = key.split(separator)
  return prefixParts.every((p, i) => parts[i] === p)
}

/**
 * `matches(prefix, key)` equals `naiveMatches` on keys and prefixes of `Arbitraries.collidingPart`
 * (so `S1` vs `S10` is frequent), and a prefix made of a key's own leading parts matches it.
 */
export const prefixMatchesNaive = (type?: EntityType) =>
  fc.property(
    typeArb(type).chain((t) => {
      const n = A.partCount(t)
      return fc.tuple(
        fc.constant(t),
        fc.array(A.collidingPart, { minLength: n, maxLength: n }),
        fc.array(A.collidingPart, { minLength: 1, maxLength: n })
      )
    }),
    ([t, kp, pp]) => {
      const key = Result.getOrThrow(formatKey(t, kp))
      const prefix = Result.getOrThrow(parsePrefix(t, pp.join(separator)))
      check(matches(prefix, key) === naiveMatches(pp, key), `matches(${show(pp)}, ${show(key)}) differs from whole-part matching`)
      const own = Result.getOrThrow(parsePrefix(t, kp.slice(0, pp.length).join(separator)))
      check(matches(own, key), `a prefix of the key's own leading parts does not match ${show(key)}`)
    }
  )

// ---------------------------------------------------------------------------------------------
// Cursors (SPEC §3 search). Each law runs its effects on `layer` (default `Cursors.layerTest`),
// built afresh for every run; pass your own to check a Cursors implementation or secret.
// ---------------------------------------------------------------------------------------------

const runOn = (layer: Layer.Layer<Cursors>) => <A, E>(effect: Effect.Effect<A, E, Cursors>): Promise<A> =>
  Effect.runPromise(Effect.provide(effect, layer))

/** Whether `decode(binding, cursor)` fails with `InvalidCursor` (any other outcome is `false`). */
export const refuses = (binding: CursorBinding, cursor: string): Effect.Effect<boolean, never, Cursors> =>
  Cursors.use((c) => c.decode(binding, cursor)).pipe(
    Effect.result,
    Effect.map((r) => Result.isFailure(r) && r.failure._tag === "InvalidCursor")
  )

const encode = (binding: CursorBinding, position: SortPosition) => Cursors.use((c) => c.encode(binding, position))

/** A cursor decodes, under the binding that made it, to exactly the position it was made from. */
export const cursorRoundTrip = (
  layer: Layer.Layer<Cursors> = Cursors.layerTest
): fc.IAsyncPropertyWithHooks<[CursorBinding, SortPosition]> =>
  fc.asyncProperty(A.cursorBinding, A.sortPosition, (binding, position) =>
    runOn(layer)(Effect.gen(function*() {
      const cursor = yield* encode(binding, position)
      const decoded = yield* Cursors.use((c) => c.decode(binding, cursor))
      expectEqual(decoded, position, "decode(encode(position))")
    })))

/** A cursor presented by another account, for another entity type or another prefix is refused (`InvalidCursor`). */
export const cursorBoundToQuery = (
  layer: Layer.Layer<Cursors> = Cursors.layerTest
): fc.IAsyncPropertyWithHooks<[readonly [CursorBinding, CursorBinding], SortPosition]> =>
  fc.asyncProperty(A.otherBinding, A.sortPosition, ([binding, other], position) =>
    runOn(layer)(Effect.gen(function*() {
      const cursor = yield* encode(binding, position)
      check(yield* refuses(other, cursor), `a cursor of ${show(binding)} was accepted for ${show(other)}`)
    })))

/** A cursor changed by 1 to 4 inserted, deleted or replaced characters (`Arbitraries.cursorEdits`) is refused. */
export const cursorTamperRefused = (
  layer: Layer.Layer<Cursors> = Cursors.layerTest
): fc.IAsyncPropertyWithHooks<[CursorBinding, SortPosition, ReadonlyArray<A.CursorEdit>]> =>
  fc.asyncProperty(A.cursorBinding, A.sortPosition, A.cursorEdits, (binding, position, edits) =>
    runOn(layer)(Effect.gen(function*() {
      const cursor = yield* encode(binding, position)
      const tampered = A.applyEdits(cursor, edits)
      if (tampered === cursor) return
      check(yield* refuses(binding, tampered), `tampered cursor ${show(tampered)} was accepted`)
    })))

/** Any text that is not a cursor (random strings up to 200 UTF-16 units) is refused. */
export const cursorGarbageRefused = (
  layer: Layer.Layer<Cursors> = Cursors.layerTest
): fc.IAsyncPropertyWithHooks<[CursorBinding, string]> =>
  fc.asyncProperty(A.cursorBinding, fc.string({ unit: "binary", maxLength: 200 }), (binding, junk) =>
    runOn(layer)(Effect.map(refuses(binding, junk), (refused) => check(refused, `junk ${show(junk)} was accepted`))))

/** A fixed second secret (32 bytes of 9) for `cursorForeignSecretRefused`'s default. */
const foreignLayer = Cursors.layer(Redacted.make(new Uint8Array(32).fill(9)))

/** A cursor made under another secret (`foreign`) is refused under `layer`'s. The two must use different secrets. */
export const cursorForeignSecretRefused = (
  layer: Layer.Layer<Cursors> = Cursors.layerTest,
  foreign: Layer.Layer<Cursors> = foreignLayer
): fc.IAsyncPropertyWithHooks<[CursorBinding, SortPosition]> =>
  fc.asyncProperty(A.cursorBinding, A.sortPosition, (binding, position) =>
    Effect.runPromise(Effect.gen(function*() {
      const cursor = yield* encode(binding, position).pipe(Effect.provide(foreign))
      check(yield* refuses(binding, cursor).pipe(Effect.provide(layer)), "a cursor of another secret was accepted")
    })))

// ---------------------------------------------------------------------------------------------
// The file lifecycle (SPEC §6)
// ---------------------------------------------------------------------------------------------

/** A record, or `"gone"` once `Purged` removed it. */
export type State = FileRecord | "gone"

/**
 * Delivers one event with `FileState.apply` and checks the step: only an `uploading` record (an
 * upload that never arrived) or `Purged` on a live file is refused, and a refused event leaves the
 * record as it was; only a `deleting` tombstone is removed; a change moves `version` on by one and
 * leaves a record with no `invariantViolations` and at most `maxAttempts` attempts. Throws otherwise.
 */
export const step = (state: State, event: FileEvent): State => {
  if (state === "gone") return state
  const outcome = apply(state, event)
  if (Result.isFailure(outcome)) {
    check(
      outcome.failure.from === "uploading" || event._tag === "Purged",
      `${event._tag} refused in ${state.status}: only an upload that never arrived, or a live file asked to be purged, refuses events`
    )
    return state
  }
  switch (outcome.success._tag) {
    case "Removed":
      check(state.status === "deleting", `${event._tag} removed a ${state.status} record: only a tombstone is ever removed`)
      return "gone"
    case "Unchanged":
      return state
    case "Changed": {
      const next = outcome.success.record
      check(next.version === state.version + 1, `${event._tag} moved version ${state.version} to ${next.version}`)
      const problems = invariantViolations(next)
      check(problems.length === 0, `${event._tag} on ${state.status} broke invariants: ${problems.join(", ")} in ${show(next)}`)
      check(next.attempts <= maxAttempts, `${next.attempts} attempts exceed ${maxAttempts}`)
      return next
    }
  }
}

/**
 * Delivers each template once, in order, through `step`, fixing each template's attempt into a
 * concrete event (the record's `attempts` when `currentAttempt`). The final state and the events
 * actually delivered.
 */
export const deliverOnce = (
  base: FileRecord,
  templates: ReadonlyArray<A.EventTemplate>
): { readonly final: State; readonly events: ReadonlyArray<FileEvent> } => {
  let state: State = base
  const events: Array<FileEvent> = []
  for (const t of templates) {
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

/** Whatever events arrive, in any order, every step is legal (see `step`) and every record reachable satisfies the invariants. */
export const neverIllegal = (): fc.IPropertyWithHooks<[FileRecord, ReadonlyArray<A.EventTemplate>]> =>
  fc.property(A.uploadingRecord(), A.eventSequence(), (base, templates) => void deliverOnce(base, templates))

/** Also with a declared size (500 bytes) and arrivals of any size; a `size_mismatch` failure always holds another size. */
export const neverIllegalWithDeclaredSize = (): fc.IPropertyWithHooks<[FileRecord, ReadonlyArray<A.EventTemplate>]> =>
  fc.property(A.uploadingRecord({ declaredSize: 500 }), A.eventSequence(), (base, templates) => {
    const { final } = deliverOnce(base, templates)
    if (final !== "gone" && final.status === "failed" && final.failureReason === "size_mismatch") {
      check(final.fileSize !== 500, "size_mismatch with the declared size")
    }
  })

/** Every event delivered 1 to 3 times in a row (at-least-once delivery) ends exactly where single delivery ends. */
export const idempotentUnderRedelivery = (): fc.IPropertyWithHooks<[FileRecord, ReadonlyArray<A.EventTemplate>, Array<number>]> =>
  fc.property(
    A.uploadingRecord(),
    A.eventSequence(),
    fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 40, maxLength: 40 }),
    (base, templates, copies) => {
      const { events, final: once } = deliverOnce(base, templates)
      let state: State = base
      for (const [i, e] of events.entries()) {
        for (let c = 0; c < (copies[i % copies.length] ?? 1); c++) state = step(state, e)
      }
      expectEqual(state, once, "state after redelivery")
    }
  )

/**
 * Storage redelivering `ObjectCreated` or `UploadExpired` later, out of order, ends where single
 * delivery ends, except that a final file may be due for one more clean-up (a late `ObjectCreated`
 * may be a replayed POST with new bytes): its version and due time may differ, nothing else.
 */
export const idempotentUnderLateStorageEvents = (): fc.IPropertyWithHooks<
  [FileRecord, ReadonlyArray<A.EventTemplate>, Array<[number, number]>]
> =>
  fc.property(
    A.uploadingRecord(),
    A.eventSequence(),
    fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 6 }),
    (base, templates, redeliveries) => {
      const { events, final: once } = deliverOnce(base, templates)
      const storage = events.map((e, i) => [e, i] as const).filter(([e]) => e._tag === "ObjectCreated" || e._tag === "UploadExpired")
      const delivered: Array<FileEvent> = [...events]
      const inserts: Array<readonly [number, FileEvent]> = []
      for (const [pick, offset] of redeliveries) {
        if (storage.length === 0) break
        const [event, at] = storage[pick % storage.length]!
        inserts.push([at + 1 + (offset % (events.length - at)), event])
      }
      for (const [at, event] of inserts.sort((a, b) => b[0] - a[0])) delivered.splice(at, 0, event)
      expectEqual(modCleanUp(delivered.reduce<State>(step, base)), modCleanUp(once), "state after late storage events")
    }
  )

/**
 * However many times (1 to 10) processing starts and fails transiently, a file never has more than
 * `maxAttempts` attempts, and it is `failed` exactly when `maxAttempts` attempts were made.
 */
export const attemptsBounded = (): fc.IPropertyWithHooks<[FileRecord, number]> =>
  fc.property(A.uploadingRecord(), fc.integer({ min: 1, max: 10 }), (base, tries) => {
    let state: State = step(base, { _tag: "ObjectCreated", now: 1_000, size: 10, redispatchAt: 1_060 })
    for (let i = 0; i < tries && state !== "gone"; i++) {
      state = step(state, { _tag: "ProcessingStarted", now: 1_000 + i, leaseUntil: 1_300 + i })
      if (state === "gone") break
      state = step(state, { _tag: "ProcessingFailed", now: 1_001 + i, attempt: state.attempts, reason: "processing_error", retryAt: 1_030 + i })
    }
    check(state !== "gone", "the record went away")
    if (state === "gone") return
    check(state.attempts <= maxAttempts, `${state.attempts} attempts`)
    expectEqual(state.status, tries >= maxAttempts ? "failed" : "uploaded", `status after ${tries} failed attempts`)
  })

/**
 * However long the store stays unavailable (1 to 50 deferred attempts, after 0 to `maxAttempts - 1`
 * real failures), an outage uses up no attempt and never fails the file: it stays `uploaded` with the
 * attempts it had and one deferral per outage.
 */
export const outagesUseNoAttempts = (): fc.IPropertyWithHooks<[FileRecord, number, number]> =>
  fc.property(
    A.uploadingRecord(),
    fc.integer({ min: 1, max: 50 }),
    fc.integer({ min: 0, max: maxAttempts - 1 }),
    (base, outages, failuresBefore) => {
      let state: State = step(base, { _tag: "ObjectCreated", now: 1_000, size: 10, redispatchAt: 1_060 })
      for (let i = 0; i < failuresBefore && state !== "gone"; i++) {
        state = step(state, { _tag: "ProcessingStarted", now: 1_000, leaseUntil: 1_300 })
        if (state === "gone") break
        state = step(state, { _tag: "ProcessingFailed", now: 1_001, attempt: state.attempts, reason: "processing_error", retryAt: 1_030 })
      }
      for (let i = 0; i < outages && state !== "gone"; i++) {
        state = step(state, { _tag: "ProcessingStarted", now: 2_000 + i, leaseUntil: 2_300 + i })
        if (state === "gone") break
        state = step(state, { _tag: "ProcessingDeferred", now: 2_001 + i, attempt: state.attempts, retryAt: 2_030 + i })
      }
      check(state !== "gone", "the record went away")
      if (state === "gone") return
      expectEqual([state.status, state.attempts, state.deferrals], ["uploaded", failuresBefore, outages], "[status, attempts, deferrals]")
    }
  )

/** Whatever came before, an original arriving for a `ready` or `failed` file keeps its status and makes it due for clean-up. */
export const finalFileDueAgainOnArrival = (): fc.IPropertyWithHooks<[FileRecord, ReadonlyArray<A.EventTemplate>, number]> =>
  fc.property(A.uploadingRecord({ declaredSize: 500 }), A.eventSequence(), fc.integer({ min: 1, max: 1e6 }), (base, templates, size) => {
    const { final } = deliverOnce(base, templates)
    if (final === "gone" || (final.status !== "ready" && final.status !== "failed")) return
    const after = step(final, { _tag: "ObjectCreated", now: 5_000, size, redispatchAt: 5_060 })
    check(after !== "gone", "the record went away")
    if (after === "gone") return
    expectEqual(after.status, final.status, "status after a late original")
    check(after.dueAt !== undefined, "a final file with a new original is not due for clean-up")
  })
