/**
 * The end of every run: a failure's one line on stderr and its exit code
 * (docs/clients.md). A bad invocation is one line too, not the whole help.
 */
import { Effect } from "effect"
import { CliError, CliOutput } from "effect/cli"
import { CliFailure, ExitCode, fromUnknown, oneLine } from "./CliFailure.ts"

/** Help and version as usual; parse errors as `media <command>: <error>` lines on stderr. */
export const presenter = CliOutput.layerPresenter({
  present: (event) =>
    event._tag === "InvalidInvocation"
      ? Effect.sync(() => {
        const path = event.commandPath.join(" ")
        for (const error of event.errors) {
          process.stderr.write(`${path}: ${oneLine(error.message)} (see '${path} --help')\n`)
        }
      })
      : CliOutput.defaultPresenter.present(event)
})

export const exitWith = (error: unknown) =>
  Effect.sync(() => {
    if (CliError.isCliError(error)) {
      // Already presented above (or help was asked for).
      process.exitCode = error._tag === "ShowHelp" && error.errors.length === 0 ? ExitCode.ok : ExitCode.usage
      return
    }
    const failure = error instanceof CliFailure ? error : fromUnknown(error)
    process.stderr.write(`media: ${failure.message}\n`)
    process.exitCode = failure.exitCode
  })
