/**
 * Core errors to API errors: the HTTP status is decided here, at the edge
 * (STYLE §7). Infrastructure failures become a 500 that says nothing
 * internal; their cause goes to the server log with the request id.
 */
import { Cause, Effect } from "effect"
import type { FileNotFound, InvalidRequest } from "@media/core/MediaErrors"
import type { RepositoryError, WriteConflict } from "@media/core/ports/FileRepository"
import type { StorageError } from "@media/core/ports/ObjectStore"
import type { SigningError } from "@media/core/ports/UrlSigner"
import { FileNotFoundError, InternalError, InvalidRequestError } from "../api/ApiErrors.ts"
import { CurrentRequest } from "../CurrentRequest.ts"

export type CoreError = InvalidRequest | FileNotFound | RepositoryError | StorageError | SigningError | WriteConflict

export type ApiError = InvalidRequestError | FileNotFoundError | InternalError

export const toApiError = (error: CoreError): Effect.Effect<never, ApiError> =>
  Effect.flatMap(CurrentRequest, ({ requestId }): Effect.Effect<never, ApiError> => {
    switch (error._tag) {
      case "InvalidRequest":
        return Effect.fail(InvalidRequestError.of(error.message, requestId))
      case "FileNotFound":
        return Effect.fail(FileNotFoundError.of("file not found", requestId))
      default:
        // Includes WriteConflict: only a generated id colliding can raise it here.
        return Effect.logError("request failed", Cause.fail(error)).pipe(
          Effect.annotateLogs({ request_id: requestId }),
          Effect.andThen(Effect.fail(InternalError.of(requestId)))
        )
    }
  })

/** The API errors a use case failing with `E` can produce, so each endpoint declares only its own. */
export type ApiErrorOf<E extends CoreError> =
  | (E extends { readonly _tag: "InvalidRequest" } ? InvalidRequestError : never)
  | (E extends { readonly _tag: "FileNotFound" } ? FileNotFoundError : never)
  | (E extends { readonly _tag: "InvalidRequest" | "FileNotFound" } ? never : InternalError)

/** Runs a use case with its core errors turned into API errors. */
export const withApiErrors = <A, E extends CoreError, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, ApiErrorOf<E>, R> => Effect.catch(effect, toApiError) as Effect.Effect<A, ApiErrorOf<E>, R>
