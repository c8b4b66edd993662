/**
 * The `/v1/media` endpoints (SPEC §3). Values are checked by the use cases
 * (so the HEIC advice and the entity-key rules live in one place); the
 * schemas here only fix the JSON shape.
 */
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { FileView } from "@media/core/FileView"
import { Authentication, RequiredPermission } from "./Authentication.ts"
import { FileNotFoundError } from "./ApiErrors.ts"

export const UploadUrlRequest = Schema.Struct({
  content_type: Schema.String.annotate({
    description: "image/jpeg, image/png, image/webp or image/gif (convert HEIC/HEIF to JPEG on the device)"
  }),
  entity_type: Schema.String.annotate({ description: "shipment_item" }),
  entity_id: Schema.String.annotate({ description: "shipment_id|sku|reason_code|discrepancy_id" }),
  file_size: Schema.optionalKey(Schema.Int.annotate({ description: "Exact upload size in bytes, when known" }))
}).annotate({ identifier: "UploadUrlRequest" })

export const UploadTicket = Schema.Struct({
  file_id: Schema.String,
  upload_url: Schema.String,
  fields: Schema.Record(Schema.String, Schema.String).annotate({
    description: "Send every entry as a multipart/form-data field, then the file in a field named `file`"
  }),
  expires_at: Schema.Int,
  status: Schema.Literal("uploading")
}).annotate({ identifier: "UploadTicket" })

export const SearchResult = Schema.Struct({
  files: Schema.Array(FileView),
  cursor: Schema.optionalKey(Schema.String.annotate({ description: "Present only when another page may exist" }))
}).annotate({ identifier: "SearchResult" })

const FileIdParam = { file_id: Schema.String }

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
        entity_type: Schema.String,
        entity_id: Schema.String.annotate({ description: "1 to 4 parts of the entity key, matched on whole parts" }),
        limit: Schema.optionalKey(Schema.Int.annotate({ description: "1-100, default 25" })),
        cursor: Schema.optionalKey(Schema.String)
      },
      success: SearchResult
    }).annotate(RequiredPermission, "media:read")
      .annotate(OpenApi.Summary, "Files of an entity, by key prefix"),
    HttpApiEndpoint.get("getFile", "/:file_id", {
      params: FileIdParam,
      success: FileView,
      error: FileNotFoundError
    }).annotate(RequiredPermission, "media:read")
      .annotate(OpenApi.Summary, "One file, with signed download URLs once ready"),
    HttpApiEndpoint.delete("deleteFile", "/:file_id", {
      params: FileIdParam,
      success: HttpApiSchema.NoContent,
      error: FileNotFoundError
    }).annotate(RequiredPermission, "media:write")
      .annotate(OpenApi.Summary, "Remove a file and every stored object of it")
  )
  .middleware(Authentication)
  .prefix("/v1/media")
  .annotateMerge(OpenApi.annotations({ title: "Media" }))
{}
