/**
 * Remembers recently verified slow-hashed secrets, keyed by a SHA-256 of what
 * was presented, so a client repeating its credentials costs one hash lookup
 * instead of one scrypt per request. Bounded in size and time.
 */
import { Clock, Effect } from "effect"
import type { Principal } from "@media/core/ports/Authenticator"

export interface VerifiedSecretCache {
  readonly get: (digest: string) => Effect.Effect<Principal | undefined>
  readonly set: (digest: string, principal: Principal) => Effect.Effect<void>
}

export const makeVerifiedSecretCache = (ttlMillis: number, maxEntries: number): VerifiedSecretCache => {
  // Map keeps insertion order, so the first key is the oldest entry.
  const entries = new Map<string, { readonly principal: Principal; readonly until: number }>()
  return {
    get: (digest) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const entry = entries.get(digest)
        if (entry === undefined) return undefined
        if (entry.until > now) return entry.principal
        entries.delete(digest)
        return undefined
      }),
    set: (digest, principal) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        entries.delete(digest)
        if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!)
        entries.set(digest, { principal, until: now + ttlMillis })
      })
  }
}
