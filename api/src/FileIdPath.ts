/**
 * Middleware of the endpoints with a `{file_id}` path: the path is decoded
 * as a `FileId`, and one that is not (not a lowercase UUID) answers exactly
 * like an unknown file, 404 FILE_NOT_FOUND (docs/api.md), not 400.
 */
import { HttpApiMiddleware } from "effect/http-api"
import { FileNotFoundError } from "./ApiErrors.ts"

/** Middleware: a `{file_id}` path that is not a `FileId` fails `FileNotFoundError` (404). */
export class FileIdPath extends HttpApiMiddleware.Service<FileIdPath>()("apps/http/FileIdPath", {
  error: FileNotFoundError
}) {}
