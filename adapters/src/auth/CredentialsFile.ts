/**
 * The credentials file (SPEC §5): its schema and a validator whose errors name
 * the entry and the field but never echo a value, since values may be secrets.
 */
import { hash } from "node:crypto"
import { readFile } from "node:fs/promises"
import { Effect, Option, Redacted, Schema } from "effect"
import { AccountId, isAccountId } from "@media-object-storage/core/Ids"
import { type Permission, permissions as knownPermissions } from "@media-object-storage/core/ports/Authenticator"
import { token68 } from "./AuthorizationHeader.ts"
import { parseSecretHash, type SecretHash } from "./SecretHash.ts"

export const CredentialEntry = Schema.Struct({
  account_id: AccountId,
  api_id: Schema.optionalKey(Schema.String),
  password: Schema.optionalKey(Schema.String),
  password_hash: Schema.optionalKey(Schema.String),
  token: Schema.optionalKey(Schema.String),
  token_hash: Schema.optionalKey(Schema.String),
  permissions: Schema.Array(Schema.Literals(knownPermissions))
})
export type CredentialEntry = typeof CredentialEntry.Type

export const CredentialsDocument = Schema.Struct({ credentials: Schema.Array(CredentialEntry) })
export type CredentialsDocument = typeof CredentialsDocument.Type

/** The file is unusable; `message` names the entry index and field, never a value. */
export class CredentialsFileError extends Schema.TaggedError<CredentialsFileError>()("CredentialsFileError", {
  message: Schema.String
}) {}

/**
 * How a presented secret is checked: a plain secret (kept `Redacted` so the
 * authenticator can hash a password at load, and its SHA-256 digest for tokens),
 * or a slow hash.
 */
export type SecretCheck =
  | { readonly _tag: "Plain"; readonly secret: Redacted.Redacted<string>; readonly digest: Buffer }
  | { readonly _tag: "Hashed"; readonly hash: SecretHash }

export interface ValidCredential {
  readonly index: number
  readonly accountId: AccountId
  readonly permissions: ReadonlySet<Permission>
  /** The api_id of a Basic credential; undefined for a Bearer token. */
  readonly apiId: string | undefined
  readonly check: SecretCheck
}

export const sha256 = (value: Redacted.Redacted<string>): Buffer => hash("sha256", Redacted.value(value), "buffer")

const entryFields = new Set(["account_id", "api_id", "password", "password_hash", "token", "token_hash", "permissions"])
const isString = (u: unknown): u is string => typeof u === "string"
const isPermission = (u: unknown): u is Permission => (knownPermissions as ReadonlyArray<unknown>).includes(u)
const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)
// api_id travels before the first ':' of a Basic pair.
const validApiId = (s: string) => s.length >= 1 && s.length <= 256 && !s.includes(":") && !/\p{Cc}/u.test(s)

type Checked = { readonly ok: ValidCredential } | { readonly error: string }

const secretOf = (entry: Record<string, unknown>, plain: string, hashed: string, plainOk: (s: string) => boolean, plainRule: string): SecretCheck | string => {
  const hasPlain = entry[plain] !== undefined
  const hasHashed = entry[hashed] !== undefined
  if (hasPlain === hasHashed) return `needs exactly one of "${plain}" and "${hashed}"`
  if (hasPlain) {
    const value = entry[plain]
    if (!isString(value) || !plainOk(value)) return `"${plain}" ${plainRule}`
    const secret = Redacted.make(value)
    return { _tag: "Plain", secret, digest: sha256(secret) }
  }
  const value = entry[hashed]
  const hash = isString(value) ? parseSecretHash(value) : Option.none()
  if (Option.isNone(hash)) return `"${hashed}" must be a hash printed by \`npm run -s hash-secret\``
  return { _tag: "Hashed", hash: hash.value }
}

const checkEntry = (entry: unknown, index: number): Checked => {
  if (!isObject(entry)) return { error: "must be an object" }
  const unknownField = Object.keys(entry).find((k) => !entryFields.has(k))
  if (unknownField !== undefined) return { error: `has an unknown field (allowed: ${[...entryFields].join(", ")})` }
  if (!isAccountId(entry.account_id)) return { error: `"account_id" must be 1-64 characters of [A-Za-z0-9._-]` }
  const perms = entry.permissions
  if (!Array.isArray(perms) || !perms.every(isPermission)) return { error: `"permissions" must be a list of ${knownPermissions.join(", ")}` }
  const isBasic = entry.api_id !== undefined
  if (isBasic && (entry.token !== undefined || entry.token_hash !== undefined)) return { error: `has both "api_id" and a token` }
  if (!isBasic && (entry.password !== undefined || entry.password_hash !== undefined)) return { error: `has a password but no "api_id"` }
  if (isBasic && !(isString(entry.api_id) && validApiId(entry.api_id))) {
    return { error: `"api_id" must be 1-256 characters without ':' or control characters` }
  }
  const check = isBasic
    ? secretOf(entry, "password", "password_hash", (s) => s.length >= 1 && s.length <= 1024, "must be 1-1024 characters")
    : secretOf(entry, "token", "token_hash", (s) => s.length <= 4096 && token68.test(s), "must be 1-4096 characters of [A-Za-z0-9-._~+/] (then '=' padding)")
  if (typeof check === "string") return { error: check }
  return {
    ok: { index, accountId: entry.account_id, permissions: new Set(perms), apiId: isBasic ? entry.api_id as string : undefined, check }
  }
}

/** Validates a parsed credentials document; the first problem found is the error. */
export const validateCredentials = (document: unknown): Effect.Effect<ReadonlyArray<ValidCredential>, CredentialsFileError> => {
  const fail = (message: string) => Effect.fail(new CredentialsFileError({ message }))
  if (!isObject(document) || !Array.isArray(document.credentials)) return fail(`credentials file must be an object with a "credentials" list`)
  if (Object.keys(document).some((k) => k !== "credentials")) return fail(`credentials file has a field other than "credentials"`)
  const valid: Array<ValidCredential> = []
  const apiIds = new Set<string>()
  const tokens = new Set<string>()
  for (const [index, entry] of document.credentials.entries()) {
    const checked = checkEntry(entry, index)
    if ("error" in checked) return fail(`credentials[${index}] ${checked.error}`)
    const { apiId, check } = checked.ok
    if (apiId !== undefined) {
      if (apiIds.has(apiId)) return fail(`credentials[${index}] repeats the "api_id" of an earlier entry`)
      apiIds.add(apiId)
    } else if (check._tag === "Plain") {
      const digest = check.digest.toString("hex")
      if (tokens.has(digest)) return fail(`credentials[${index}] repeats the "token" of an earlier entry`)
      tokens.add(digest)
    }
    valid.push(checked.ok)
  }
  return Effect.succeed(valid)
}

/** Reads and validates the file at `path`. JSON syntax errors are reported without the parser's excerpt of the file. */
export const readCredentialsFile = (path: string): Effect.Effect<ReadonlyArray<ValidCredential>, CredentialsFileError> =>
  Effect.tryPromise({
    try: () => readFile(path, "utf8"),
    catch: () => new CredentialsFileError({ message: `cannot read the credentials file ${path}` })
  }).pipe(
    Effect.flatMap((text) =>
      Effect.try({
        try: () => JSON.parse(text) as unknown,
        catch: () => new CredentialsFileError({ message: `credentials file ${path} is not valid JSON` })
      })
    ),
    Effect.flatMap(validateCredentials),
    Effect.withSpan("CredentialsFile.read")
  )
