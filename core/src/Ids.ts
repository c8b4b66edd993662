/**
 * Branded identifiers. Every id is validated once at the edge and trusted inside.
 */
import { Schema } from "effect"

/** A file id: a lowercase UUID made by the service. */
export const FileId = Schema.String.check(
  Schema.isPattern(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, {
    message: "must be a lowercase UUID"
  })
).pipe(Schema.brand("FileId"))
/** A validated file id. */
export type FileId = typeof FileId.Type

/** An account id. Restricted to characters that are safe inside object keys and DynamoDB keys. */
export const AccountId = Schema.String.check(
  Schema.isPattern(/^[A-Za-z0-9._-]{1,64}$/, { message: "must be 1-64 characters of [A-Za-z0-9._-]" })
).pipe(Schema.brand("AccountId"))
/** A validated account id. */
export type AccountId = typeof AccountId.Type

/** Whether a value is a `FileId` (a type guard). */
export const isFileId = Schema.is(FileId)
/** Whether a value is an `AccountId` (a type guard). */
export const isAccountId = Schema.is(AccountId)
