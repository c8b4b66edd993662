/**
 * UrlSigner in memory: readable, deterministic URLs for tests.
 */
import { Effect, Layer } from "effect"
import { imageKey, thumbnailKey } from "../ObjectKeys.ts"
import { type Derivatives, UrlSigner } from "../ports/UrlSigner.ts"

const url = (key: string, expiresAt: number) => `memory://cdn/${key}?Expires=${expiresAt}`

/** `UrlSigner` giving `memory://cdn/<key>?Expires=<expiresAt>`. */
export const layerMemory = Layer.succeed(UrlSigner, UrlSigner.of({
  sign: Effect.fnUntraced(function*(key: string, expiresAt: number) {
    return url(key, expiresAt)
  }),
  signDerivatives: Effect.fnUntraced(function*({ accountId, attempt, fileId }: Derivatives, expiresAt: number) {
    return {
      image: url(imageKey(accountId, fileId, attempt), expiresAt),
      thumbnail: url(thumbnailKey(accountId, fileId, attempt), expiresAt)
    }
  })
}))
