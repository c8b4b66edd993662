/**
 * An embedded server without a credentials file (its first start, or after an
 * operator deleted the file): a file with one random credential, whose password
 * is printed once (only its hash is stored).
 */
import { randomBytes } from "node:crypto"
import { Console, Effect, FileSystem, Redacted } from "effect"
import { generateCredentials } from "@media-object-storage/adapters/auth/GenerateCredentials"
import type { AccountId } from "@media-object-storage/core/Ids"

export const firstAccountId = "10000" as AccountId

/** Creates the credentials file at `path` if it does not exist; prints the new secret once. */
export const ensureCredentialsFile = Effect.fn("FirstCredentials.ensure")(function*(path: string) {
  const fs = yield* FileSystem.FileSystem
  if (yield* fs.exists(path)) return false
  const generated = yield* generateCredentials(firstAccountId)
  const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`
  yield* fs.writeFileString(temp, JSON.stringify(generated.document, null, 2) + "\n", { mode: 0o600 })
  yield* fs.rename(temp, path)
  // The one place a secret is shown: on the operator's terminal, once, never through the logger.
  // Not "first start": the file may be missing because an operator deleted it to reset the credential.
  const secret = Redacted.value(generated.password)
  yield* Console.log(
    [
      `Created ${path} with one new credential (media:read, media:write) for account ${firstAccountId}.`,
      `  api_id:    ${generated.apiId}`,
      `  password:  ${secret}`,
      `For the README's walk-through, paste:`,
      `  export AUTH='${generated.apiId}:${secret}'`,
      `The password is stored only as a hash and will not be shown again.`
    ].join("\n")
  )
  return true
})
