/**
 * Handlers of the `media` group: each runs one core use case for the
 * authenticated principal's account (tenancy comes from the credentials only).
 */
import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { Cursors } from "@media/core/Cursor"
import { FileIds } from "@media/core/ports/FileIds"
import { FileRepository } from "@media/core/ports/FileRepository"
import { ObjectStore } from "@media/core/ports/ObjectStore"
import { UrlSigner } from "@media/core/ports/UrlSigner"
import { deleteFile } from "@media/core/usecases/DeleteFile"
import { getFile } from "@media/core/usecases/GetFile"
import { requestUpload } from "@media/core/usecases/RequestUpload"
import { searchFiles } from "@media/core/usecases/SearchFiles"
import { CurrentPrincipal } from "../api/Authentication.ts"
import { MediaApi } from "../api/MediaApi.ts"
import { withApiErrors } from "./mapCoreErrors.ts"

/** The ports the media use cases need. */
export type MediaPorts = FileRepository | ObjectStore | UrlSigner | FileIds | Cursors

export const MediaHandlers = HttpApiBuilder.group(
  MediaApi,
  "media",
  Effect.fn(function*(handlers) {
    // Captured once: handlers run with the ports (and MediaConfig) the layer was built with.
    const ports = yield* Effect.context<MediaPorts>()
    const run = <A, E, R extends MediaPorts>(effect: Effect.Effect<A, E, R>) => Effect.provideContext(effect, ports)

    // Untraced: the use cases are already named spans, and a traced Effect.fn
    // captures a call-site stack trace on every call.
    return handlers.handleAll({
      requestUpload: Effect.fnUntraced(function*({ payload }) {
        const { accountId } = yield* CurrentPrincipal
        return yield* run(withApiErrors(requestUpload(accountId, {
          contentType: payload.content_type,
          entityType: payload.entity_type,
          entityId: payload.entity_id,
          fileSize: payload.file_size
        })))
      }),
      search: Effect.fnUntraced(function*({ query }) {
        const { accountId } = yield* CurrentPrincipal
        return yield* run(withApiErrors(searchFiles(accountId, {
          entityType: query.entity_type,
          entityId: query.entity_id,
          limit: query.limit,
          cursor: query.cursor
        })))
      }),
      getFile: Effect.fnUntraced(function*({ params }) {
        const { accountId } = yield* CurrentPrincipal
        return yield* run(withApiErrors(getFile(accountId, params.file_id)))
      }),
      deleteFile: Effect.fnUntraced(function*({ params }) {
        const { accountId } = yield* CurrentPrincipal
        return yield* run(withApiErrors(deleteFile(accountId, params.file_id)))
      })
    })
  })
)
