/**
 * Core errors to API errors: the HTTP status is decided here, at the edge
 * (STYLE §7). Infrastructure failures become a 500 that says nothing
 * internal; their cause goes to the server log (with the request id the
 * router middleware annotates every log line of the request with).
 */
import { Cause, Effect } from "effect"
import type { FileNotFound, InvalidRequest } from "@media-object-storage/core/MediaErrors"
import type { RepositoryError, WriteConflict } from "@media-object-storage/core/ports/FileRepository"
import type { StorageError } from "@media-object-storage/core/ports/ObjectStore"
import type { SigningError } from "@media-object-storage/core/ports/UrlSigner"
import { apiError, FileNotFoundError, InternalError, InvalidRequestError } from "@media-object-storage/api/ApiErrors"

/** Every error a `MediaFiles` use case can fail with. */
export type CoreError = InvalidRequest | FileNotFound | RepositoryError | StorageError | SigningError | WriteConflict

/** The API errors a use case failing with `E` can produce, so each endpoint declares only its own. */
export type ApiErrorOf<E extends CoreError> =
  | (E extends { readonly _tag: "InvalidRequest" } ? InvalidRequestError : never)
  | (E extends { readonly _tag: "FileNotFound" } ? FileNotFoundError : never)
  | (E extends { readonly _tag: "InvalidRequest" | "FileNotFound" } ? never : InternalError)

const toApiError = (error: CoreError): Effect.Effect<never, InvalidRequestError | FileNotFoundError | InternalError> => {
  switch (error._tag) {
    case "InvalidRequest":
      return Effect.fail(apiError(InvalidRequestError, error.message))
    case "FileNotFound":
      return Effect.fail(apiError(FileNotFoundError, "file not found"))
    default:
      // Includes WriteConflict: only a generated id colliding can raise it here.
      return Effect.logError("request failed", Cause.fail(error)).pipe(
        Effect.andThen(Effect.fail(apiError(InternalError, "internal error")))
      )
  }
}

/** Runs a use case with its core errors turned into API errors (400, 404 or a logged 500). */
export const withApiErrors = <A, E extends CoreError, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, ApiErrorOf<E>, R> =>
  // The switch above maps each tag to exactly the class ApiErrorOf<E> names for it.
  Effect.catch(effect, toApiError) as Effect.Effect<A, ApiErrorOf<E>, R>
