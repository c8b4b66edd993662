/** The `media` command and its subcommands. */
import { Command } from "effect/cli"
import { downloadCommand } from "./DownloadCommand.ts"
import { deleteCommand, getCommand, searchCommand } from "./FileCommands.ts"
import { uploadCommand } from "./UploadCommand.ts"

export const mediaCommand = Command.make("media").pipe(
  Command.withDescription(
    "Media Object Storage from the command line. Connection: --url and --auth, or MEDIA_URL and MEDIA_AUTH " +
      "(api_id:password or 'Bearer <token>'), or a profile file {\"url\": …, \"auth\": …} at " +
      "~/.config/media/profile.json (--profile, MEDIA_PROFILE). " +
      "Exit codes: 0 ok, 1 failure, 2 usage error (bad arguments, entity key, missing credentials), " +
      "3 access denied, 4 file not found."
  ),
  Command.withSubcommands([uploadCommand, getCommand, searchCommand, downloadCommand, deleteCommand])
)
