/**
 * The API's use cases on files (SPEC §3) as one service, built once from the
 * ports: request an upload, get, search and delete files of an account.
 * Inputs are decoded at the edge (ids, entity types, content types, limits).
 */
import { Context, Effect, Layer } from "effect"
import * as DeleteFile from "./DeleteFile.ts"
import * as GetFile from "./GetFile.ts"
import * as RequestUpload from "./RequestUpload.ts"
import * as SearchFiles from "./SearchFiles.ts"

/** The types of `MediaFiles`' operations, public with it (their modules are internal). */
export type { GetFile } from "./GetFile.ts"
export type { UploadRequest, UploadTicket } from "./RequestUpload.ts"

/** The API's use cases on the files of one account at a time (SPEC §3); see each member. */
export class MediaFiles extends Context.Service<MediaFiles, {
  /** `POST /v1/media/upload-url`: see `RequestUpload.RequestUpload`. */
  readonly requestUpload: RequestUpload.RequestUpload
  /** `GET /v1/media/{file_id}`: see `GetFile.GetFile`. */
  readonly get: GetFile.GetFile
  /** `GET /v1/media/search`: see `SearchFiles.SearchFiles`. */
  readonly search: SearchFiles.SearchFiles
  /** `DELETE /v1/media/{file_id}`: see `DeleteFile.DeleteFile`. */
  readonly delete: DeleteFile.DeleteFile
}>()("core/MediaFiles") {
  /**
   * On the ports in context (FileRepository, ObjectStore, UrlSigner, FileIds, Cursors) and the
   * `MediaConfig` reference, each resolved once when the layer is built.
   */
  static readonly layer = Layer.effect(
    MediaFiles,
    Effect.all({
      requestUpload: RequestUpload.make,
      get: GetFile.make,
      search: SearchFiles.make,
      delete: DeleteFile.make
    })
  )
}
