/**
 * First start of an embedded server: a credentials file with one random
 * credential, whose password is printed once (only its hash is stored).
 */
import { randomBytes } from "node:crypto"
import { Console, Effect, FileSystem, Redacted } from "effect"
import { generateCredentials } from "@media/adapters/auth/GenerateCredentials"
import type { AccountId } from "@media/core/Ids"

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
  yield* Console.log(
    [
      `First start: created ${path} with one credential (media:read, media:write).`,
      `  account_id: ${firstAccountId}`,
      `  api_id:     ${generated.apiId}`,
      `  password:   ${Redacted.value(generated.password)}`,
      `  use it as:  curl -u '${generated.apiId}:${Redacted.value(generated.password)}' ...`,
      `It is stored only as a hash and will not be shown again.`
    ].join("\n")
  )
  return true
})
