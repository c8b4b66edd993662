/**
 * The `/v1/media` endpoints (SPEC §3). The schemas fix the JSON shape and
 * decode what a client can know statically into core's types (content type,
 * entity type, file id, page size); the use cases check the rest (entity keys,
 * cursors, the configured upload maximum).
 */
import { Schema, SchemaTransformation } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { DeclaredContentType, uploadContentTypes } from "@media-object-storage/core/ContentType"
import { EntityType } from "@media-object-storage/core/EntityType"
import { FileView } from "@media-object-storage/core/FileView"
import { FileId } from "@media-object-storage/core/Ids"
import { defaultLimit, maxLimit, PageLimit } from "@media-object-storage/core/usecases/SearchFiles"
import { Authentication, RequiredPermission } from "./Authentication.ts"
import { FileNotFoundError } from "./ApiErrors.ts"
import { FileIdPath } from "./FileIdPath.ts"
import { documentEnum, documentParameterAs } from "./documentation.ts"

const exampleEntityId = "1RT823V93|SKU-001|DAMAGED|D1"

/**
 * MIME types compare case-insensitively (SPEC §7): any case is accepted and
 * decoded to the canonical lower-case value; HEIC/HEIF is refused, in any
 * case, with the advice to convert (core's `DeclaredContentType`).
 */
const ContentTypeField = Schema.String.annotate({
  description: "Case-insensitive; normalised to lower case. HEIC/HEIF is refused: convert to JPEG on the device.",
  ...documentEnum(uploadContentTypes)
}).pipe(Schema.decodeTo(DeclaredContentType))

const EntityTypeField = EntityType.annotate({ description: "The kind of entity the file is linked to" })

/** The body of `POST /v1/media/upload-url` (SPEC §3); `content_type` is decoded case-insensitively. */
export const UploadUrlRequest = Schema.Struct({
  content_type: ContentTypeField,
  entity_type: EntityTypeField,
  entity_id: Schema.String.annotate({
    description: "The full four-part key shipment_id|sku|reason_code|discrepancy_id",
    examples: [exampleEntityId]
  }),
  file_size: Schema.optionalKey(
    // The upper bound is configuration (MEDIA_MAX_UPLOAD_BYTES): the served document states it, the use case checks it.
    Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)).annotate({
      description: "Exact upload size in bytes, when known: the upload target then admits exactly this size"
    })
  )
}).annotate({
  identifier: "UploadUrlRequest",
  examples: [{ content_type: "image/jpeg", entity_type: "shipment_item", entity_id: exampleEntityId }]
})

/** The answer of `upload-url`: a pre-signed POST (every field, then the file); `expires_at` in UNIX seconds. */
export const UploadTicket = Schema.Struct({
  file_id: FileId,
  upload_url: Schema.String,
  fields: Schema.Record(Schema.String, Schema.String).annotate({
    description: "Send every entry as a multipart/form-data field, then the file in a field named `file`"
  }),
  expires_at: Schema.Int,
  status: Schema.Literal("uploading")
}).annotate({ identifier: "UploadTicket" })

/** The answer of `GET /v1/media/search` (SPEC §3): a page of files, and `cursor` when more may follow. */
export const SearchResult = Schema.Struct({
  files: Schema.Array(FileView),
  cursor: Schema.optionalKey(Schema.String.annotate({ description: "Present only when another page may exist" }))
}).annotate({ identifier: "SearchResult" })

/** The page size: what `limit` decodes to, and what the document declares. */
const LimitValue = PageLimit.annotate({
  description: `Page size, 1 to ${maxLimit}`,
  default: Schema.decodeSync(PageLimit)(defaultLimit)
})

/** `limit` as a client writes it: one spelling per value (no sign, exponent, fraction, space or leading zero). */
const Limit = Schema.String.check(
  Schema.isPattern(/^[1-9][0-9]*$/, {
    message: `limit must be a whole number from 1 to ${maxLimit}, in plain decimal digits`
  })
).pipe(Schema.decodeTo(LimitValue, SchemaTransformation.numberFromString))

/** A path that is not a `FileId` is 404 FILE_NOT_FOUND, like an unknown id (FileIdPath). */
const FileIdParam = { file_id: FileId.annotate({ description: "The file id (a UUID) from upload-url" }) }

/**
 * The `/v1/media` endpoints (SPEC §3): `requestUpload`, `search`, `getFile`, `deleteFile`, each needing its
 * `RequiredPermission`.
 */
export class MediaGroup extends HttpApiGroup.make("media")
  .add(
    HttpApiEndpoint.post("requestUpload", "/upload-url", {
      payload: UploadUrlRequest,
      success: UploadTicket
    }).annotate(RequiredPermission, "media:write")
      .annotate(OpenApi.Summary, "Get a pre-signed upload target and create the file record"),
    // Declared before `/:file_id`; the router also prefers the static segment.
    HttpApiEndpoint.get("search", "/search", {
      query: {
        entity_type: EntityTypeField,
        entity_id: Schema.String.annotate({
          description: "1 to 4 parts of the entity key, matched on whole parts",
          examples: ["1RT823V93"]
        }),
        limit: Schema.optionalKey(Limit),
        cursor: Schema.optionalKey(Schema.String.annotate({ description: "The `cursor` of the previous page" }))
      },
      success: SearchResult
    }).annotate(RequiredPermission, "media:read")
      .annotate(OpenApi.Summary, "Files of an entity, by key prefix")
      // The query string carries text; the document states what it means.
      .annotate(OpenApi.Transform, documentParameterAs("limit", LimitValue)),
    HttpApiEndpoint.get("getFile", "/:file_id", {
      params: FileIdParam,
      success: FileView,
      error: FileNotFoundError
    }).middleware(FileIdPath)
      .annotate(RequiredPermission, "media:read")
      .annotate(OpenApi.Summary, "One file, with signed download URLs once ready"),
    HttpApiEndpoint.delete("deleteFile", "/:file_id", {
      params: FileIdParam,
      success: HttpApiSchema.NoContent.annotate({ description: "Deleted, with every stored object of the file" }),
      error: FileNotFoundError
    }).middleware(FileIdPath)
      .annotate(RequiredPermission, "media:write")
      .annotate(OpenApi.Summary, "Remove a file and every stored object of it")
  )
  .middleware(Authentication)
  .prefix("/v1/media")
  .annotateMerge(OpenApi.annotations({
    title: "Media",
    description: "Upload targets, file records and search, for the caller's account"
  }))
{}
