/**
 * The media API as the web app uses it (SPEC §3): fetch with the session's
 * `Authorization` header; error bodies become `ApiError`s with the server's message.
 */
import type { FileStatus } from "./labels.ts"

export interface FileView {
  readonly file_id: string
  readonly content_type: string
  readonly file_size: number
  readonly entity_type: string
  readonly entity_id: string
  readonly status: FileStatus
  readonly created_at: number
  readonly updated_at: number
  readonly download_url?: string
  readonly download_expires_at?: number
  readonly thumbnail_url?: string
  readonly thumbnail_expires_at?: number
  readonly width?: number
  readonly height?: number
  readonly failure_reason?: string
}

export interface SearchPage {
  readonly files: ReadonlyArray<FileView>
  readonly cursor?: string
}

export interface UploadTicket {
  readonly file_id: string
  readonly upload_url: string
  readonly fields: Readonly<Record<string, string>>
  readonly expires_at: number
}

export class ApiError extends Error {
  readonly status: number
  readonly requestId: string | undefined
  constructor(message: string, status: number, requestId: string | undefined) {
    super(message)
    this.name = "ApiError"
    this.status = status
    this.requestId = requestId
  }
}

export const entityType = "shipment_item"

export interface Api {
  readonly search: (entityId: string, limit: number, cursor?: string) => Promise<SearchPage>
  readonly get: (fileId: string) => Promise<FileView>
  readonly remove: (fileId: string) => Promise<void>
  readonly requestUpload: (request: { contentType: string; entityId: string; fileSize: number }) => Promise<UploadTicket>
}

const messageFor = (status: number, body: unknown): string => {
  const message = typeof body === "object" && body !== null && "error_data" in body &&
      typeof body.error_data === "object" && body.error_data !== null && "message" in body.error_data &&
      typeof body.error_data.message === "string"
    ? body.error_data.message
    : undefined
  if (status === 401) return "Sign-in failed: the API id and password, or the token, were not accepted."
  if (status === 403) return `Not allowed: ${message ?? "this credential lacks the permission"}.`
  return message ?? `The API answered ${status}.`
}

/**
 * An API client for `baseUrl` ("" = this page's origin) signing every request
 * with `authorization`; `onUnauthorized` hears of every 401 (a revoked credential).
 */
export const makeApi = (baseUrl: string, authorization: string, onUnauthorized: () => void = () => undefined): Api => {
  const origin = baseUrl === "" ? location.origin : baseUrl
  const call = async (path: string, init: RequestInit = {}): Promise<Response> => {
    let response: Response
    try {
      response = await fetch(`${origin}${path}`, {
        ...init,
        headers: { authorization, ...(init.headers ?? {}) },
        credentials: "omit",
        cache: "no-store"
      })
    } catch {
      throw new ApiError(`Cannot reach the API at ${origin} (offline, wrong address, or not allowed by its CORS settings).`, 0, undefined)
    }
    if (response.ok) return response
    if (response.status === 401) onUnauthorized()
    const body: unknown = await response.json().catch(() => undefined)
    throw new ApiError(messageFor(response.status, body), response.status, response.headers.get("x-request-id") ?? undefined)
  }
  const json = async <A>(path: string, init?: RequestInit): Promise<A> => (await (await call(path, init)).json()) as A
  return {
    search: (entityId, limit, cursor) => {
      const query = new URLSearchParams({ entity_type: entityType, entity_id: entityId, limit: String(limit) })
      if (cursor !== undefined) query.set("cursor", cursor)
      return json(`/v1/media/search?${query}`)
    },
    get: (fileId) => json(`/v1/media/${encodeURIComponent(fileId)}`),
    remove: async (fileId) => {
      await call(`/v1/media/${encodeURIComponent(fileId)}`, { method: "DELETE" })
    },
    requestUpload: ({ contentType, entityId, fileSize }) =>
      json("/v1/media/upload-url", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ content_type: contentType, entity_type: entityType, entity_id: entityId, file_size: fileSize })
      })
  }
}
