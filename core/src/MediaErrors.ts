/**
 * The errors use cases report to their callers. HTTP statuses are attached at
 * the API edge (apps/http), not here.
 */
import { Schema } from "effect"

/** The request is malformed or violates the contract (400). */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>()("InvalidRequest", {
  message: Schema.String
}) {}

/** No such file for this account; another account's file looks exactly the same (404). */
export class FileNotFound extends Schema.TaggedError<FileNotFound>()("FileNotFound", {
  fileId: Schema.String
}) {}
