/**
 * The embedded server's own secrets, generated into the data dir on first start
 * (mode 0600) and reused afterwards: the storage endpoint's access key, the
 * key pair of its CloudFront-format URLs (ECDSA P-256 since 0.1.0; an older data dir keeps
 * its RSA-2048 pair, which the signer and verifier still accept), and the cursor HMAC secret.
 */
import { randomBytes } from "node:crypto"
import { join } from "node:path"
import { Effect, FileSystem, Redacted, Schema } from "effect"
import { generateKeyPair } from "@media-object-storage/adapters/cloudfront/CloudFrontKeys"

const KeysFile = Schema.Struct({
  storage: Schema.Struct({ accessKeyId: Schema.String, secretAccessKey: Schema.String }),
  cdn: Schema.Struct({ keyPairId: Schema.String, privateKeyPem: Schema.String, publicKeyPem: Schema.String }),
  cursorSecret: Schema.String
})
type KeysFile = typeof KeysFile.Type

export interface LocalKeys {
  readonly storage: { readonly accessKeyId: string; readonly secretAccessKey: Redacted.Redacted<string> }
  readonly cdn: { readonly keyPairId: string; readonly privateKeyPem: Redacted.Redacted<string>; readonly publicKeyPem: string }
  readonly cursorSecret: Redacted.Redacted<Uint8Array>
}

const decode = Schema.decodeUnknownEffect(Schema.fromJsonString(KeysFile))

const generate = Effect.gen(function*() {
  const cdn = yield* generateKeyPair()
  const file: KeysFile = {
    storage: {
      accessKeyId: "LOCAL" + randomBytes(8).toString("hex").toUpperCase(),
      secretAccessKey: randomBytes(30).toString("base64url")
    },
    cdn,
    cursorSecret: randomBytes(32).toString("base64url")
  }
  return file
})

const toKeys = (file: KeysFile): LocalKeys => ({
  storage: { accessKeyId: file.storage.accessKeyId, secretAccessKey: Redacted.make(file.storage.secretAccessKey) },
  cdn: { keyPairId: file.cdn.keyPairId, privateKeyPem: Redacted.make(file.cdn.privateKeyPem), publicKeyPem: file.cdn.publicKeyPem },
  cursorSecret: Redacted.make(new Uint8Array(Buffer.from(file.cursorSecret, "base64url")))
})

/** Reads `<dataDir>/keys.json`, creating it on first start. */
export const loadOrCreateLocalKeys = Effect.fn("LocalKeys.loadOrCreate")(function*(dataDir: string) {
  const fs = yield* FileSystem.FileSystem
  const path = join(dataDir, "keys.json")
  if (yield* fs.exists(path)) {
    const text = yield* fs.readFileString(path)
    return toKeys(yield* decode(text).pipe(
      Effect.mapError(() => new Error(`${path} is not a valid keys file; move it away to generate new keys`))
    ))
  }
  const file = yield* generate
  // Write-then-rename so a crash never leaves a half-written key file behind.
  const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`
  yield* fs.writeFileString(temp, JSON.stringify(file, null, 2), { mode: 0o600 }).pipe(
    Effect.andThen(fs.rename(temp, path)),
    // A full disk must not leave a half-written key file behind either.
    Effect.onError(() => Effect.ignore(fs.remove(temp, { force: true })))
  )
  return toKeys(file)
})
