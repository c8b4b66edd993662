/**
 * Authenticator in memory: bearer tokens mapped to principals, for tests.
 */
import { Effect, Layer } from "effect"
import { Authenticator, type Principal, Unauthenticated } from "../ports/Authenticator.ts"

export const layerMemory = (tokens: Readonly<Record<string, Principal>>) =>
  Layer.succeed(Authenticator, Authenticator.of({
    authenticate: Effect.fnUntraced(function*(authorization: string | undefined) {
      const match = /^Bearer ([^\s]+)$/.exec(authorization ?? "")
      const principal = match === null ? undefined : tokens[match[1]!]
      if (principal === undefined) return yield* new Unauthenticated({ message: "missing or invalid credentials" })
      return principal
    })
  }))
