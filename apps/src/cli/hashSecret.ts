/**
 * Prints a `password_hash` / `token_hash` for the credentials file.
 * Usage: `echo -n 'secret' | npm run -s hash-secret` (the secret is read from
 * stdin, never from arguments, so it stays out of shell history and `ps`).
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { text } from "node:stream/consumers"
import { Console, Effect, Redacted } from "effect"
import { hashSecret } from "@media-object-storage/adapters/auth/SecretHash"

const usage = "usage: echo -n 'secret' | npm run -s hash-secret   (or: node apps/src/cli/hashSecret.ts --stdin < file)"

const program = Effect.gen(function*() {
  const args = process.argv.slice(2)
  if (args.some((a) => a !== "--stdin") || (process.stdin.isTTY === true && !args.includes("--stdin"))) {
    return yield* Effect.fail(usage)
  }
  const input = yield* Effect.tryPromise({ try: () => text(process.stdin), catch: () => "cannot read the secret from stdin" })
  // `echo 'secret'` adds one newline; a secret never ends with one.
  const secret = input.replace(/\r?\n$/, "")
  if (secret.length === 0) return yield* Effect.fail(`empty secret\n${usage}`)
  yield* Console.log(yield* hashSecret(Redacted.make(secret)))
}).pipe(
  Effect.catch((message: string) => Effect.andThen(Console.error(message), Effect.sync(() => { process.exitCode = 2 })))
)

NodeRuntime.runMain(program)
