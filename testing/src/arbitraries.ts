/**
 * fast-check arbitraries for the values of `@media-object-storage/core`: entity types, entity-key
 * parts, keys and prefixes (SPEC §4), malformed parts, cursor bindings and sort positions (SPEC §3
 * search), and file events and event sequences for the lifecycle state machine (SPEC §6).
 * The laws in `./laws` are built from these; a consumer's own property tests can use them too.
 */
import type { CursorBinding } from "@media-object-storage/core/Cursors"
import { type EntityKey, type EntityPrefix, formatKey, maxKeyBytes, maxKeyLength, maxPartLength, parsePrefix, separator } from "@media-object-storage/core/EntityKey"
import { type EntityType, entityKeyShapes, entityTypeNames } from "@media-object-storage/core/EntityType"
import { failureReasons, type FileRecord } from "@media-object-storage/core/FileRecord"
import { type FileEvent, maxAttempts } from "@media-object-storage/core/FileState"
import type { AccountId, FileId } from "@media-object-storage/core/Ids"
import type { SortPosition } from "@media-object-storage/core/SortPosition"
import { Result } from "effect"
import * as fc from "fast-check"

// ---------------------------------------------------------------------------------------------
// Entity keys (SPEC §4)
// ---------------------------------------------------------------------------------------------

/** Any entity type core knows (`entityTypeNames`; only `shipment_item` today). */
export const entityType: fc.Arbitrary<EntityType> = fc.constantFrom(...entityTypeNames)

/** How many parts a complete key of `type` has (4 for `shipment_item`). */
export const partCount = (type: EntityType): number => entityKeyShapes[type].parts.length

const isControl = (c: string): boolean => /[\u0000-\u001f\u007f-\u009f]/.test(c)

/**
 * One character a key part may hold: any well-formed code point except `|` and C0/DEL/C1 controls,
 * astral ones included (a string of 1 or 2 UTF-16 units). Mostly ASCII, often non-ASCII.
 */
export const partChar: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("a", "Z", "0", "-", "_", " ", ".") },
  { weight: 1, arbitrary: fc.constantFrom("é", "ß", "中", "\uFF5A", "😀", "𝔘", "\u00A0") },
  { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) }
).filter((c) => c !== separator && !isControl(c))

/**
 * A valid key part (SPEC §4): 1 to `maxLength` code points (default 120, at most `maxPartLength`)
 * of `partChar`, not beginning or ending with white space (spaces inside are fine).
 */
export const keyPart = (options: { readonly maxLength?: number } = {}): fc.Arbitrary<string> =>
  fc.string({ unit: partChar, minLength: 1, maxLength: Math.min(options.maxLength ?? 120, maxPartLength) })
    .filter((p) => p.trim() === p)

const codePoints = (s: string): number => [...s].length
const utf8 = new TextEncoder()

/** Whether valid parts joined make a key short enough: `maxKeyLength` code points, `maxKeyBytes` UTF-8 bytes. */
export const withinKeyLimits = (parts: ReadonlyArray<string>): boolean => {
  const raw = parts.join(separator)
  return codePoints(raw) <= maxKeyLength && utf8.encode(raw).length <= maxKeyBytes
}

/** The parts of a complete, valid key of `type`: `partCount(type)` valid parts within the key limits. */
export const keyParts = (type: EntityType): fc.Arbitrary<ReadonlyArray<string>> => {
  const n = partCount(type)
  return fc.array(keyPart(), { minLength: n, maxLength: n }).filter(withinKeyLimits)
}

/** The parts of a valid search prefix of `type`: 1 to `partCount(type)` valid parts within the key limits. */
export const prefixParts = (type: EntityType): fc.Arbitrary<ReadonlyArray<string>> =>
  fc.array(keyPart(), { minLength: 1, maxLength: partCount(type) }).filter(withinKeyLimits)

const orThrow = <A, E>(result: Result.Result<A, E>): A => {
  if (Result.isFailure(result)) throw new Error(`arbitrary produced an invalid value: ${String(result.failure)}`)
  return result.success
}

/** A valid, complete `EntityKey` of `type` (made with `formatKey` from `keyParts(type)`). */
export const entityKey = (type: EntityType): fc.Arbitrary<EntityKey> =>
  keyParts(type).map((parts) => orThrow(formatKey(type, parts)))

/** A valid `EntityPrefix` of `type` (made with `parsePrefix` from `prefixParts(type)`). */
export const entityPrefix = (type: EntityType): fc.Arbitrary<EntityPrefix> =>
  prefixParts(type).map((parts) => orThrow(parsePrefix(type, parts.join(separator))))

/**
 * A valid part over a four-character alphabet (`a`, `b`, `é`, `😀`), 1 to 3 long: keys and prefixes
 * made of these often share leading characters (`S1` vs `S10`), which is where whole-part matching
 * differs from string prefix matching.
 */
export const collidingPart: fc.Arbitrary<string> = fc.string({
  unit: fc.constantFrom("a", "b", "é", "😀"),
  minLength: 1,
  maxLength: 3
})

/**
 * A part that every key and prefix refuses (SPEC §4): empty, a C0/DEL/C1 control character inside,
 * a lone surrogate, longer than `maxPartLength` code points, or white space at either end.
 * It holds no `|`, so in a prefix it stays one (bad) part.
 */
export const invalidPartText: fc.Arbitrary<string> = fc.oneof(
  fc.constant(""),
  fc.tuple(keyPart({ maxLength: 20 }), fc.integer({ min: 0, max: 0x1f }), keyPart({ maxLength: 20 }))
    .map(([a, c, b]) => a + String.fromCharCode(c) + b),
  fc.tuple(keyPart({ maxLength: 20 }), fc.constantFrom(0x7f, 0x80, 0x85, 0x9f)).map(([a, c]) => a + String.fromCharCode(c)),
  fc.tuple(keyPart({ maxLength: 20 }), fc.integer({ min: 0xd800, max: 0xdfff })).map(([a, c]) => String.fromCharCode(c) + a),
  fc.string({ unit: partChar, minLength: maxPartLength + 1, maxLength: maxPartLength + 20 }),
  fc.tuple(keyPart({ maxLength: 20 }), fc.constantFrom(" ", "\u00A0", "\u2003", "\uFEFF"), fc.boolean())
    .map(([a, space, leading]) => leading ? space + a : a + space)
)

/**
 * A part a complete key refuses: `invalidPartText`, or two valid parts joined by `|` (in a complete
 * key that makes one part too many; `formatKey` refuses a part holding the separator).
 */
export const invalidPart: fc.Arbitrary<string> = fc.oneof(
  invalidPartText,
  fc.tuple(keyPart({ maxLength: 20 }), keyPart({ maxLength: 20 })).map(([a, b]) => `${a}${separator}${b}`)
)

// ---------------------------------------------------------------------------------------------
// Accounts, files and cursors (SPEC §3 search, §5 tenancy)
// ---------------------------------------------------------------------------------------------

/** An `AccountId`: 1 to 64 characters of `[A-Za-z0-9._-]`. */
export const accountId: fc.Arbitrary<AccountId> = fc.string({
  unit: fc.constantFrom(..."ABCXYZabcxyz0123456789._-"),
  minLength: 1,
  maxLength: 64
}).map((s) => s as AccountId)

/** A `FileId`: a lowercase UUID. */
export const fileId: fc.Arbitrary<FileId> = fc.uuid().map((s) => s as FileId)

/** A `SortPosition` as a cursor carries it: any entity id text, `createdAt` 0..2^40 (UNIX seconds), a UUID. */
export const sortPosition: fc.Arbitrary<SortPosition> = fc.record({
  entityId: fc.string({ unit: "binary", maxLength: 40 }),
  createdAt: fc.integer({ min: 0, max: 2 ** 40 }),
  fileId: fc.uuid()
})

/** A `CursorBinding` of a real query: an account, an entity type and a valid prefix's `match`. */
export const cursorBinding: fc.Arbitrary<CursorBinding> = entityType.chain((type) =>
  fc.record({
    accountId,
    entityType: fc.constant<string>(type),
    match: entityPrefix(type).map((p) => p.match)
  })
)

/**
 * Two bindings that differ in exactly one respect: another account, another entity type, a longer
 * prefix (`S1|` then `S1|SKU|`), a prefix whose part merely starts alike (`S1|` then `S10|`), or any
 * other prefix. The second never equals the first.
 */
export const otherBinding: fc.Arbitrary<readonly [CursorBinding, CursorBinding]> = cursorBinding.chain((b) => {
  const type = b.entityType as EntityType
  const variants: fc.Arbitrary<CursorBinding> = fc.oneof(
    accountId.map((a) => ({ ...b, accountId: a })),
    fc.constantFrom("other_item", `${b.entityType}s`, "").map((t) => ({ ...b, entityType: t })),
    keyPart({ maxLength: 20 }).map((p) => ({ ...b, match: b.match.slice(0, -1) + separator + p + separator })),
    partChar.map((c) => ({ ...b, match: b.match.slice(0, -1) + c + b.match.slice(-1) })),
    entityPrefix(type).map((p) => ({ ...b, match: p.match }))
  )
  return variants
    .filter((o) => o.accountId !== b.accountId || o.entityType !== b.entityType || o.match !== b.match)
    .map((o) => [b, o] as const)
})

/** One edit of a cursor's text: insert, delete or replace at `at` (taken modulo the length). */
export interface CursorEdit {
  readonly at: number
  readonly kind: "insert" | "delete" | "replace"
  readonly ch: string
}

const cursorAlphabet = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", ".", "="]

/** 1 to 4 edits with characters of a cursor's own alphabet (base64url, `.`, `=`), so they look plausible. */
export const cursorEdits: fc.Arbitrary<ReadonlyArray<CursorEdit>> = fc.array(
  fc.record({ at: fc.nat(), kind: fc.constantFrom("insert", "delete", "replace"), ch: fc.constantFrom(...cursorAlphabet) }),
  { minLength: 1, maxLength: 4 }
)

/** Applies `edits` to `cursor` in order (the result may equal the input, e.g. replacing a character by itself). */
export const applyEdits = (cursor: string, edits: ReadonlyArray<CursorEdit>): string => {
  let text = cursor
  for (const { at, kind, ch } of edits) {
    const i = at % (text.length + 1)
    text = kind === "insert"
      ? text.slice(0, i) + ch + text.slice(i)
      : text.slice(0, i) + (kind === "replace" ? ch : "") + text.slice(i + 1)
  }
  return text
}

// ---------------------------------------------------------------------------------------------
// File events (SPEC §6)
// ---------------------------------------------------------------------------------------------

/**
 * The times (UNIX seconds) of `uploadingRecord`: created at 1000, upload target expiring at 1900,
 * due (upload-expiry grace over) at 2800. `eventTime` straddles all three.
 */
export const recordTimes = { createdAt: 1_000, uploadExpiresAt: 1_900, dueAt: 2_800 } as const

/** An event time (UNIX seconds) from 900 to 4000: before, between and after `recordTimes`. */
export const eventTime: fc.Arbitrary<number> = fc.integer({ min: 900, max: 4_000 })

/**
 * An `uploading` record as `RequestUpload` creates it, at `recordTimes`, for a random account, file
 * and `shipment_item` key, with `overrides` applied (e.g. `{ declaredSize: 500 }`, in bytes).
 */
export const uploadingRecord = (overrides: Partial<FileRecord> = {}): fc.Arbitrary<FileRecord> =>
  fc.record({ accountId, fileId, entityId: entityKey("shipment_item") }).map(({ accountId, entityId, fileId }) => ({
    fileId,
    accountId,
    entityType: "shipment_item",
    entityId,
    contentType: "image/png",
    status: "uploading",
    fileSize: 0,
    createdAt: recordTimes.createdAt,
    updatedAt: recordTimes.createdAt,
    version: 0,
    attempts: 0,
    uploadExpiresAt: recordTimes.uploadExpiresAt,
    dueAt: recordTimes.dueAt,
    ...overrides
  }))

/** An attempt number from 0 to `maxAttempts + 1`: stale, current, premature or impossible ones. */
export const attempt: fc.Arbitrary<number> = fc.integer({ min: 0, max: maxAttempts + 1 })

const reason = fc.oneof(
  { weight: 3, arbitrary: fc.constant("processing_error" as const) },
  { weight: 1, arbitrary: fc.constantFrom(...failureReasons) }
)
const size = fc.integer({ min: 1, max: 1e6 })

/**
 * Any `FileEvent`, every tag, with times from `eventTime`. Weighted so that a sequence often gets
 * through several attempts before a (rare) `Deleted` or `Purged`: ProcessingStarted 6,
 * ProcessingFailed 5, ObjectCreated/Processed/LeaseExpired 3, ProcessingDeferred/UploadExpired/
 * CleanedUp 2, Deleted/Purged 1. Failures are mostly the transient `processing_error`.
 */
export const fileEvent: fc.Arbitrary<FileEvent> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ _tag: fc.constant("ObjectCreated" as const), now: eventTime, size, redispatchAt: eventTime })
  },
  { weight: 6, arbitrary: fc.record({ _tag: fc.constant("ProcessingStarted" as const), now: eventTime, leaseUntil: eventTime }) },
  {
    weight: 3,
    arbitrary: fc.record({
      _tag: fc.constant("Processed" as const),
      now: eventTime,
      attempt,
      size,
      width: fc.integer({ min: 1, max: 4096 }),
      height: fc.integer({ min: 1, max: 4096 })
    })
  },
  {
    weight: 5,
    arbitrary: fc.record({ _tag: fc.constant("ProcessingFailed" as const), now: eventTime, attempt, reason, retryAt: eventTime })
  },
  {
    weight: 2,
    arbitrary: fc.record({ _tag: fc.constant("ProcessingDeferred" as const), now: eventTime, attempt, retryAt: eventTime })
  },
  { weight: 3, arbitrary: fc.record({ _tag: fc.constant("LeaseExpired" as const), now: eventTime, redispatchAt: eventTime }) },
  { weight: 2, arbitrary: fc.record({ _tag: fc.constant("UploadExpired" as const), now: eventTime }) },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("Deleted" as const), now: eventTime }) },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("Purged" as const), now: eventTime }) },
  { weight: 2, arbitrary: fc.record({ _tag: fc.constant("CleanedUp" as const), now: eventTime }) }
)

/**
 * An event whose attempt may be "the current one": with `currentAttempt`, an event that names an
 * attempt gets the record's `attempts` when it is first delivered (see `Laws.deliverOnce`), so
 * sequences reach `ready` and `failed` instead of mostly stale no-ops.
 */
export interface EventTemplate {
  readonly event: FileEvent
  readonly currentAttempt: boolean
}

/** An `EventTemplate`: three in four name the current attempt; the rest are stale, premature or made up. */
export const eventTemplate: fc.Arbitrary<EventTemplate> = fc.record({
  event: fileEvent,
  currentAttempt: fc.integer({ min: 0, max: 3 }).map((n) => n > 0)
})

/** Up to `maxLength` (default 40) event templates: the events storage and processors deliver to one file. */
export const eventSequence = (options: { readonly maxLength?: number } = {}): fc.Arbitrary<ReadonlyArray<EventTemplate>> =>
  fc.array(eventTemplate, { maxLength: options.maxLength ?? 40, size: "max" })
