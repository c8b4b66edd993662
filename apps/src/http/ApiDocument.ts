/**
 * The OpenAPI document `/openapi.json` serves: generated from `MediaApi`
 * (apps/src/http/api/), plus what only the running configuration knows.
 */
import { OpenApi } from "effect/http-api"
import { MediaApi } from "@media-object-storage/api/MediaApi"
import { fromApiOptions } from "@media-object-storage/api/documentation"

/** Settings of the deployment that the document states. */
export interface ApiDocumentOptions {
  /** `MEDIA_MAX_UPLOAD_BYTES`: the largest `file_size` upload-url accepts. */
  readonly maxUploadBytes: number
}

/** The OpenAPI 3.1 document of the API as configured. */
export const apiDocument = (options: ApiDocumentOptions): OpenApi.OpenAPISpec => {
  const spec = OpenApi.fromApi(MediaApi, fromApiOptions)
  const request = spec.components.schemas.UploadUrlRequest as { properties: Record<string, Record<string, unknown>> }
  const fileSize = request.properties.file_size!
  request.properties.file_size = {
    ...fileSize,
    maximum: options.maxUploadBytes,
    description: `${fileSize.description} (1 to the configured maximum upload size, ${options.maxUploadBytes} bytes here)`
  }
  return spec
}
