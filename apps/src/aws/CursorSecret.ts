/**
 * The cursor HMAC key in aws mode, identical on every instance and Lambda:
 * derived (HKDF-SHA-256) from MEDIA_CURSOR_SECRET, or from the CDN signing key
 * when that is unset, so a deployment needs no extra secret.
 */
import { hkdfSync } from "node:crypto"
import { Effect, Layer, Option, Redacted } from "effect"
import { loadPem } from "@media-object-storage/adapters/cloudfront/CloudFrontUrlSigner"
import { Cursors } from "@media-object-storage/core/Cursors"
import type { AppConfigShape } from "../config/AppConfig.ts"

const derive = (material: Redacted.Redacted<string>): Redacted.Redacted<Uint8Array> =>
  Redacted.make(new Uint8Array(hkdfSync("sha256", Redacted.value(material), "media-object-storage", "search-cursor-v1", 32)))

export const cursorsLayer = (config: AppConfigShape) =>
  Layer.unwrap(Effect.gen(function*() {
    if (Option.isSome(config.cursorSecret)) return Cursors.layer(derive(config.cursorSecret.value))
    if (Option.isNone(config.cdnPrivateKey)) {
      return yield* Effect.fail(new Error("MEDIA_CURSOR_SECRET or MEDIA_CDN_PRIVATE_KEY is required when MEDIA_MODE=aws"))
    }
    return Cursors.layer(derive(yield* loadPem(config.cdnPrivateKey.value)))
  }))
