/**
 * A first credential for a fresh embedded server: random api_id and password,
 * stored hashed, the password shown to the operator once.
 */
import { randomBytes } from "node:crypto"
import { Effect, Redacted } from "effect"
import type { AccountId } from "@media-object-storage/core/Ids"
import { permissions } from "@media-object-storage/core/ports/Authenticator"
import type { CredentialsDocument } from "./CredentialsFile.ts"
import { hashSecret } from "./SecretHash.ts"

export interface GeneratedCredentials {
  /** What to write to the credentials file (JSON.stringify it): the password only as a hash. */
  readonly document: CredentialsDocument
  readonly apiId: string
  readonly password: Redacted.Redacted<string>
  /** A ready `Authorization` header value for the printed instructions. */
  readonly authorization: Redacted.Redacted<string>
}

/** Secrets come from the OS CSPRNG: Effect's Random is for reproducible tests, not for credentials. */
export const generateCredentials = Effect.fn("Credentials.generate")(function*(accountId: AccountId) {
  const apiId = `${accountId}-${randomBytes(4).toString("hex")}`
  const password = Redacted.make(randomBytes(24).toString("base64url"))
  const passwordHash = yield* hashSecret(password)
  const document: CredentialsDocument = {
    credentials: [{ account_id: accountId, api_id: apiId, password_hash: passwordHash, permissions: [...permissions] }]
  }
  const authorization = Redacted.make(`Basic ${Buffer.from(`${apiId}:${Redacted.value(password)}`).toString("base64")}`)
  return { document, apiId, password, authorization } satisfies GeneratedCredentials
})
