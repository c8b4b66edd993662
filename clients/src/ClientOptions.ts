/**
 * The public option and event types of `MediaClient`: credentials, client
 * options, upload options and progress, search queries.
 */
import type { RetryOptions } from "./Backoff.ts"
import type { EntityType } from "./types.ts"

/** Credentials (SPEC §5): an API id and password (HTTP Basic), or a bearer token. */
export type MediaAuth =
  | { readonly apiId: string; readonly password: string }
  | { readonly token: string }

/** How to reach the API. */
export interface MediaClientOptions {
  /** The API's origin, e.g. `http://localhost:8080` (no `/v1/media`). */
  readonly baseUrl: string
  readonly auth: MediaAuth
  /** Retries of transient failures (network, 5xx, 429) for every call and upload. */
  readonly retry?: RetryOptions | undefined
  /**
   * `fetch` streams the form and counts bytes as they are sent (Node, Deno);
   * `xhr` uses XMLHttpRequest upload events (browsers). `auto` (default):
   * `xhr` where XMLHttpRequest exists, else `fetch`.
   */
  readonly uploadTransport?: "auto" | "fetch" | "xhr" | undefined
  /**
   * Most bytes of a stream kept in memory: a stream of unknown size is read
   * whole first (at most this much), and a stream of declared size keeps this
   * much for a retry. Default 26214400 (the server's default upload limit).
   */
  readonly maxBufferBytes?: number | undefined
  /** The `fetch` to use (default: the global one); e.g. one with a proxy agent. */
  readonly fetch?: typeof fetch | undefined
}

/** Upload progress: bytes of the file (not of the form) sent in the current attempt. */
export interface UploadProgress {
  /** Bytes sent so far in this attempt. */
  readonly loaded: number
  /** The file's size in bytes. */
  readonly total: number
  /** Bytes sent since the previous event of this attempt; they sum to `total` over a completed attempt. */
  readonly bytes: number
  /** 1 for the first try; a retry or a new target starts again from `loaded: 0`. */
  readonly attempt: number
}

/** Options of `upload`. */
export interface UploadOptions {
  /** The entity key, `shipment_id|sku|reason_code|discrepancy_id` (SPEC §4). */
  readonly entityId: string
  /** Default `shipment_item`. */
  readonly entityType?: EntityType | undefined
  /** `image/jpeg`, `image/png`, `image/webp` or `image/gif`; default: the Blob's type, else sniffed from the bytes. */
  readonly contentType?: string | undefined
  /** Size in bytes. Needed to stream a stream (else it is read into memory first); checked against Blobs and bytes. The upload policy admits exactly this size. */
  readonly fileSize?: number | undefined
  /** The form's filename (default: the File's name, else `upload.<ext>`). Storage ignores it; the server never trusts it. */
  readonly filename?: string | undefined
  /** Aborts the upload; the promise rejects with `signal.reason` and the half-made record is deleted. */
  readonly signal?: AbortSignal | undefined
  /** Called as bytes go out. */
  readonly onProgress?: ((progress: UploadProgress) => void) | undefined
}

/** Options of `waitUntilReady`. */
export interface WaitOptions {
  /** Give up after this many milliseconds with a `TIMEOUT` error (default 120000). */
  readonly timeout?: number | undefined
  readonly signal?: AbortSignal | undefined
}

/** A search (SPEC §3, §4). */
export interface SearchQuery {
  /** 1 to 4 parts of the entity key, matched on whole parts: a shipment, a SKU in it, or one discrepancy. */
  readonly entityId: string
  /** Default `shipment_item`. */
  readonly entityType?: EntityType | undefined
  /** Files per page, 1–100 (default 25). Iteration fetches every page anyway. */
  readonly limit?: number | undefined
  readonly signal?: AbortSignal | undefined
}

/** Options of calls that only read or delete. */
export interface CallOptions {
  readonly signal?: AbortSignal | undefined
}

/** Which derivative of a ready file: the processed image or its 256×256 thumbnail. */
export type Variant = "image" | "thumbnail"
