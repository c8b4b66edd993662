/**
 * Opaque, tamper-evident search cursors. A cursor carries the sort position of
 * the last file returned and an HMAC (Web Crypto) over that position and the
 * query it belongs to, so it is refused when changed, or when presented by
 * another account or for another query.
 */
import { Context, Effect, Layer, Option, Redacted, Schema } from "effect"
import { Base64Url } from "effect/encoding"
import type { SortPosition } from "./SortPosition.ts"

/** A cursor that was changed, is not a cursor, or belongs to another account or query (SPEC §3; 400 at the API). */
export class InvalidCursor extends Schema.TaggedError<InvalidCursor>()("InvalidCursor", {
  message: Schema.String
}) {}

/** What a cursor is bound to: the account and the exact query that produced it. */
export interface CursorBinding {
  readonly accountId: string
  readonly entityType: string
  /** The prefix's match string (EntityPrefix.match). */
  readonly match: string
}

const version = "c1"
const encoder = new TextEncoder()
const Payload = Schema.Tuple([Schema.String, Schema.Int, Schema.String])
const decodePayload = Schema.decodeUnknownOption(Schema.fromJsonString(Payload))

const message = (binding: CursorBinding, payload: string): Uint8Array<ArrayBuffer> =>
  encoder.encode(JSON.stringify([version, binding.accountId, binding.entityType, binding.match, payload]))

/**
 * Signs and checks search cursors (SPEC §3 `cursor`): `encode` never fails; `decode` gives the position back
 * only for a cursor `encode` made under the same secret for the same binding, else fails `InvalidCursor`.
 * A cursor is `c1.<payload>.<mac>` in base64url; one longer than 4096 characters is refused.
 */
export class Cursors extends Context.Service<Cursors, {
  encode(binding: CursorBinding, position: SortPosition): Effect.Effect<string>
  decode(binding: CursorBinding, cursor: string): Effect.Effect<SortPosition, InvalidCursor>
}>()("core/Cursors") {
  /** Cursors signed with HMAC-SHA-256 under `secret` (at least 32 bytes). */
  static readonly layer = (secret: Redacted.Redacted<Uint8Array>) =>
    Layer.effect(
      Cursors,
      Effect.gen(function*() {
        const bytes = Redacted.value(secret)
        if (bytes.length < 32) return yield* Effect.die(new Error("cursor secret must be at least 32 bytes"))
        const key = yield* Effect.promise(() =>
          globalThis.crypto.subtle.importKey("raw", new Uint8Array(bytes), { name: "HMAC", hash: "SHA-256" }, false, [
            "sign",
            "verify"
          ])
        )
        const invalid = new InvalidCursor({ message: "cursor is invalid or belongs to another query" })

        const encode = Effect.fnUntraced(function*(binding: CursorBinding, position: SortPosition) {
          const payload = Base64Url.encode(JSON.stringify([position.entityId, position.createdAt, position.fileId]))
          const mac = yield* Effect.promise(() => globalThis.crypto.subtle.sign("HMAC", key, message(binding, payload)))
          return `${version}.${payload}.${Base64Url.encode(new Uint8Array(mac))}`
        })

        const decode = Effect.fnUntraced(function*(binding: CursorBinding, cursor: string) {
          const parts = cursor.split(".")
          if (parts.length !== 3 || parts[0] !== version || cursor.length > 4096) return yield* invalid
          const [, payload, macText] = parts as [string, string, string]
          const mac = Base64Url.decode(macText)
          if (mac._tag === "Failure" || Base64Url.encode(mac.success) !== macText) return yield* invalid
          const ok = yield* Effect.promise(() =>
            globalThis.crypto.subtle.verify("HMAC", key, new Uint8Array(mac.success), message(binding, payload))
          )
          if (!ok) return yield* invalid
          const text = Base64Url.decode(payload)
          if (text._tag === "Failure") return yield* invalid
          const decoded = decodePayload(new TextDecoder().decode(text.success))
          if (Option.isNone(decoded)) return yield* invalid
          const [entityId, createdAt, fileId] = decoded.value
          return { entityId, createdAt, fileId }
        })

        return Cursors.of({ encode, decode })
      })
    )

  /** A fixed secret for tests and examples. */
  static readonly layerTest = Cursors.layer(Redacted.make(new Uint8Array(32).fill(7)))
}

