/**
 * UrlSigner in memory: readable, deterministic URLs for tests.
 */
import { Effect, Layer } from "effect"
import { UrlSigner } from "../ports/UrlSigner.ts"

/** `UrlSigner` giving `memory://cdn/<key>?Expires=<expiresAt>`. */
export const layerMemory = Layer.succeed(UrlSigner, UrlSigner.of({
  sign: Effect.fnUntraced(function*(key: string, expiresAt: number) {
    return `memory://cdn/${key}?Expires=${expiresAt}`
  })
}))
