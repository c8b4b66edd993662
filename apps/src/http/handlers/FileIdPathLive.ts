/**
 * The FileIdPath middleware: a path that does not decode (the only path
 * parameter is `file_id`) fails FileNotFoundError; nothing else changes.
 */
import { Effect, Layer } from "effect"
import { HttpApiError } from "effect/http-api"
import { apiError, FileNotFoundError } from "@media-object-storage/api/ApiErrors"
import { FileIdPath } from "@media-object-storage/api/FileIdPath"

const isBadPath = (error: unknown): boolean => HttpApiError.HttpApiSchemaError.is(error) && error.kind === "Params"

export const FileIdPathLive = Layer.succeed(
  FileIdPath,
  FileIdPath.of((httpEffect) =>
    Effect.catchIf(httpEffect, isBadPath, () => Effect.fail(apiError(FileNotFoundError, "file not found")))
  )
)
