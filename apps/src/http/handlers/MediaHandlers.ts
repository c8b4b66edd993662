/**
 * Handlers of the `media` group: each runs one `MediaFiles` use case for the
 * authenticated principal's account (tenancy comes from the credentials only)
 * on the request as decoded by the contract (MediaGroup.ts).
 */
import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { MediaFiles } from "@media-object-storage/core/usecases/MediaFiles"
import { CurrentPrincipal } from "@media-object-storage/api/Authentication"
import { MediaApi } from "@media-object-storage/api/MediaApi"
import { withApiErrors } from "./withApiErrors.ts"

export const MediaHandlers = HttpApiBuilder.group(
  MediaApi,
  "media",
  Effect.fn(function*(handlers) {
    const files = yield* MediaFiles
    // Untraced: the use cases are already named spans, and a traced Effect.fn
    // captures a call-site stack trace on every call.
    return handlers.handleAll({
      requestUpload: Effect.fnUntraced(function*({ payload }) {
        const { accountId } = yield* CurrentPrincipal
        return yield* withApiErrors(files.requestUpload(accountId, {
          contentType: payload.content_type,
          entityType: payload.entity_type,
          entityId: payload.entity_id,
          fileSize: payload.file_size
        }))
      }),
      search: Effect.fnUntraced(function*({ query }) {
        const { accountId } = yield* CurrentPrincipal
        return yield* withApiErrors(files.search(accountId, {
          entityType: query.entity_type,
          entityId: query.entity_id,
          limit: query.limit,
          cursor: query.cursor
        }))
      }),
      getFile: Effect.fnUntraced(function*({ params }) {
        const { accountId } = yield* CurrentPrincipal
        return yield* withApiErrors(files.get(accountId, params.file_id))
      }),
      deleteFile: Effect.fnUntraced(function*({ params }) {
        const { accountId } = yield* CurrentPrincipal
        return yield* withApiErrors(files.delete(accountId, params.file_id))
      })
    })
  })
)
