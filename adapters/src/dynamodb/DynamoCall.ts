/**
 * The one place SDK promises become Effects: every DynamoDB call goes through
 * `send`, and conditional writes through `sendConditional`.
 */
import { RepositoryError, WriteConflict } from "@media-object-storage/core/ports/FileRepository"
import { Effect } from "effect"

export const send = <A>(operation: string, run: (signal: AbortSignal) => Promise<A>) =>
  Effect.tryPromise({ try: run, catch: (cause) => new RepositoryError({ operation, cause }) })

export const isConditionalCheckFailed = (cause: unknown): boolean =>
  cause instanceof Error && cause.name === "ConditionalCheckFailedException"

/** A failed condition is a lost race (WriteConflict); anything else is the store's fault. */
export const sendConditional = <A>(operation: string, fileId: string, run: (signal: AbortSignal) => Promise<A>) =>
  Effect.tryPromise({
    try: run,
    catch: (cause) =>
      isConditionalCheckFailed(cause) ? new WriteConflict({ fileId }) : new RepositoryError({ operation, cause })
  })
