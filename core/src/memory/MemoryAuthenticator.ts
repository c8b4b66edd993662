/**
 * Authenticator in memory: bearer tokens mapped to principals, for tests.
 */
import { Effect, Layer } from "effect"
import { Authenticator, type Principal, Unauthenticated } from "../ports/Authenticator.ts"

/**
 * `Authenticator` accepting `Authorization: Bearer <token>` for the given tokens, each mapped to its
 * principal; anything else fails `Unauthenticated`. For tests.
 */
export const layerMemory = (tokens: Readonly<Record<string, Principal>>) =>
  Layer.succeed(Authenticator, Authenticator.of({
    authenticate: Effect.fnUntraced(function*(authorization: string | undefined) {
      const match = /^Bearer ([^\s]+)$/.exec(authorization ?? "")
      const principal = match === null ? undefined : tokens[match[1]!]
      if (principal === undefined) return yield* new Unauthenticated({ message: "missing or invalid credentials" })
      return principal
    })
  }))
