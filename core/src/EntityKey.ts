/**
 * Composite entity keys (`shipment_id|sku|reason_code|discrepancy_id`) and the
 * 1..n-part search prefixes that match them on whole parts (SPEC §4).
 */
import { Result, Schema } from "effect"
import { type EntityType, entityKeyShapes } from "./EntityType.ts"

/** Separates the parts of a key: `|` (SPEC §4). */
export const separator = "|"
/** A part is at most this many code points (SPEC §4). */
export const maxPartLength = 128
/** A whole key is at most this many code points (SPEC §4). */
export const maxKeyLength = 512
/**
 * Also at most this many UTF-8 bytes: DynamoDB caps an index sort key at 1024
 * bytes and the search sort key is the entity id plus 50 bytes (SortPosition).
 * Only keys with many non-ASCII characters reach it; 512 ASCII characters fit.
 */
export const maxKeyBytes = 960

/** A validated, complete entity key of some entity type. */
export const EntityKey = Schema.String.pipe(Schema.brand("EntityKey"))
/** A validated, complete entity key (a branded string); made by `parseKey` or `formatKey`. */
export type EntityKey = typeof EntityKey.Type

/** A key or prefix that breaks SPEC §4; `message` names the part and the rule broken (400 at the API). */
export class InvalidEntityKey extends Schema.TaggedError<InvalidEntityKey>()("InvalidEntityKey", {
  message: Schema.String
}) {}

/**
 * A search prefix: the leading parts of a key. `match` is the string every
 * matching sort key starts with (see SortPosition): a partial prefix ends with
 * the separator so `S1` never matches `S10|…`; a complete key ends with the
 * sort-key delimiter so `…|D1` never matches `…|D10`.
 */
export interface EntityPrefix {
  readonly entityType: EntityType
  readonly parts: ReadonlyArray<string>
  readonly complete: boolean
  readonly match: string
}

/** Separates the entity id from the rest of a sort key; lower than any character a part may hold. */
export const sortKeyDelimiter = "\u0001"

// C0, DEL and C1 controls. Lone surrogates are refused separately (isWellFormed).
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/

const utf8 = new TextEncoder()

const codePointLength = (s: string): number => {
  let n = 0
  for (const _ of s) n++
  return n
}

const checkPart = (part: string, index: number, names: ReadonlyArray<string>): string | undefined => {
  const name = names[index] ?? `part ${index + 1}`
  if (part.length === 0) return `${name} must not be empty`
  if (!part.isWellFormed()) return `${name} is not valid Unicode`
  if (controlCharacter.test(part)) return `${name} must not contain control characters`
  // " A" would be stored as is and never found by a search for "A": refuse it rather than guess.
  if (part.trim() !== part) return `${name} must not begin or end with white space`
  if (codePointLength(part) > maxPartLength) return `${name} must be at most ${maxPartLength} characters`
  return undefined
}

const splitChecked = (
  entityType: EntityType,
  raw: string,
  minParts: number
): Result.Result<ReadonlyArray<string>, InvalidEntityKey> => {
  const names = entityKeyShapes[entityType].parts
  const fail = (message: string) => Result.fail(new InvalidEntityKey({ message }))
  if (codePointLength(raw) > maxKeyLength) return fail(`entity_id must be at most ${maxKeyLength} characters`)
  if (utf8.encode(raw).length > maxKeyBytes) return fail(`entity_id must be at most ${maxKeyBytes} bytes in UTF-8`)
  const parts = raw.split(separator)
  if (parts.length < minParts || parts.length > names.length) {
    return fail(
      minParts === names.length
        ? `entity_id must have ${names.length} parts: ${names.join(separator)}`
        : `entity_id must have 1 to ${names.length} parts: ${names.join(separator)}`
    )
  }
  for (let i = 0; i < parts.length; i++) {
    const problem = checkPart(parts[i]!, i, names)
    if (problem !== undefined) return fail(problem)
  }
  return Result.succeed(parts)
}

/**
 * Parses a complete key of `entityType`: every part present, each valid, at most `maxKeyLength` code points
 * and `maxKeyBytes` UTF-8 bytes in all (SPEC §4). Fails `InvalidEntityKey` naming the first problem.
 */
export const parseKey = (entityType: EntityType, raw: string): Result.Result<EntityKey, InvalidEntityKey> =>
  Result.map(
    splitChecked(entityType, raw, entityKeyShapes[entityType].parts.length),
    (parts) => parts.join(separator) as EntityKey
  )

/**
 * Formats key parts into a key, validating them as `parseKey` does. A part holding the separator is
 * refused (`InvalidEntityKey`), not split.
 */
export const formatKey = (
  entityType: EntityType,
  parts: ReadonlyArray<string>
): Result.Result<EntityKey, InvalidEntityKey> => {
  const names = entityKeyShapes[entityType].parts
  const hidden = parts.findIndex((part) => part.includes(separator))
  if (hidden >= 0) {
    const name = names[hidden] ?? `part ${hidden + 1}`
    return Result.fail(new InvalidEntityKey({ message: `${name} must not contain "${separator}"` }))
  }
  return parseKey(entityType, parts.join(separator))
}

/** Splits a valid key into its parts. */
export const keyParts = (key: EntityKey): ReadonlyArray<string> => key.split(separator)

/** Parses a search prefix of 1..n whole valid parts (SPEC §4); fails `InvalidEntityKey` otherwise (an empty part too). */
export const parsePrefix = (entityType: EntityType, raw: string): Result.Result<EntityPrefix, InvalidEntityKey> =>
  Result.map(splitChecked(entityType, raw, 1), (parts) => {
    const complete = parts.length === entityKeyShapes[entityType].parts.length
    const joined = parts.join(separator)
    return { entityType, parts, complete, match: joined + (complete ? sortKeyDelimiter : separator) }
  })

/** Whether a key is matched by a prefix, on whole parts. */
export const matches = (prefix: EntityPrefix, key: EntityKey): boolean =>
  (key + sortKeyDelimiter).startsWith(prefix.match)
