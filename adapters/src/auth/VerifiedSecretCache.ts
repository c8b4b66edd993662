/**
 * Remembers recently verified secrets, keyed by a SHA-256 of what was
 * presented, so a client repeating its credentials costs one hash lookup
 * instead of one scrypt per request. Bounded in size (least recently used goes
 * first) and time: an entry lives `ttlMillis` after its last use.
 *
 * Only successes are stored, and a key binds the exact secret, so a hit tells
 * the caller nothing it did not already know (it holds the secret); a miss
 * costs the same slow check whether or not the id exists. No negative caching:
 * remembering failures would make a repeated unknown id cheaper than a
 * repeated wrong password for a real one (see docs/security.md).
 */
import { Clock, Effect } from "effect"
import type { Principal } from "@media-object-storage/core/ports/Authenticator"

export interface VerifiedSecretCache {
  /** The principal verified under `key`, if its entry has not expired; a hit extends the entry's life. */
  readonly get: (key: string) => Effect.Effect<Principal | undefined>
  readonly set: (key: string, principal: Principal) => Effect.Effect<void>
}

/**
 * `ttlMillis` after the last use an entry expires; beyond `maxEntries` the
 * least recently used entry is dropped. Rotation of the credentials file needs
 * a restart (docs/security.md), so extending an entry on use never keeps a
 * revoked secret alive.
 */
export const makeVerifiedSecretCache = (ttlMillis: number, maxEntries: number): VerifiedSecretCache => {
  // Map keeps insertion order: re-inserting on use keeps the least recently used first.
  const entries = new Map<string, { readonly principal: Principal; until: number }>()
  return {
    get: (key) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const entry = entries.get(key)
        if (entry === undefined) return undefined
        entries.delete(key)
        if (entry.until <= now) return undefined
        entry.until = now + ttlMillis
        entries.set(key, entry)
        return entry.principal
      }),
    set: (key, principal) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        entries.delete(key)
        if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!)
        entries.set(key, { principal, until: now + ttlMillis })
      })
  }
}
