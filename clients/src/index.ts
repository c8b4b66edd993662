/**
 * `@media-object-storage/client`: the Promise client of Media Object Storage for browsers,
 * Node and Deno. Effect users: `@media-object-storage/client/effect` (the typed HttpApiClient).
 */
export { MediaClient } from "./MediaClient.ts"
export type {
  CallOptions,
  MediaAuth,
  MediaClientOptions,
  SearchQuery,
  UploadOptions,
  UploadProgress,
  Variant,
  WaitOptions
} from "./ClientOptions.ts"
export { authorizationHeader } from "./ApiCaller.ts"
export { type ApiErrorCode, isMediaError, MediaError, type MediaErrorCode } from "./MediaError.ts"
export type { RetryOptions } from "./Backoff.ts"
export type { UploadBody } from "./UploadSource.ts"
export type { ApiErrorBody, EntityType, FailureReason, FileStatus, MediaFile, SearchPage, UploadTicket } from "./types.ts"
