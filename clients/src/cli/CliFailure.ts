/**
 * How the CLI fails: one line on stderr and a documented exit code, never a
 * stack trace. `MediaError`s map to codes by their `errorCode`.
 */
import { Schema } from "effect"
import { MediaError } from "../MediaError.ts"

/** Exit codes (docs/clients.md): 0 ok, 1 failure, 2 usage error, 3 access denied, 4 not found. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  accessDenied: 3,
  notFound: 4
} as const

export class CliFailure extends Schema.TaggedError<CliFailure>()("CliFailure", {
  message: Schema.String,
  exitCode: Schema.Number
}) {
  static usage(message: string) {
    return new CliFailure({ message, exitCode: ExitCode.usage })
  }
  static failure(message: string) {
    return new CliFailure({ message, exitCode: ExitCode.failure })
  }
}

const exitCodeOf = (error: MediaError): number => {
  switch (error.errorCode) {
    case "INVALID_REQUEST":
      return ExitCode.usage
    case "ACCESS_DENIED":
      return ExitCode.accessDenied
    case "FILE_NOT_FOUND":
      return ExitCode.notFound
    default:
      return ExitCode.failure
  }
}

/** Any rejection of the SDK as a `CliFailure`: the API's message, its code and request id on one line. */
export const fromUnknown = (error: unknown): CliFailure => {
  if (error instanceof CliFailure) return error
  if (error instanceof MediaError) {
    const id = error.requestId === undefined ? "" : ` (request ${error.requestId})`
    return new CliFailure({ message: `${error.errorCode}: ${oneLine(error.message)}${id}`, exitCode: exitCodeOf(error) })
  }
  if (error instanceof Error) return CliFailure.failure(oneLine(error.message))
  return CliFailure.failure(oneLine(String(error)))
}

export const oneLine = (text: string) => text.replace(/\s*\n\s*/g, " ").trim()
