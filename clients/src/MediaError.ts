/**
 * The one error type of the plain client: API errors keep the server's
 * `error_code` and `request_id` (SPEC §7); failures that happen on the client's
 * side (storage refusals, processing failures, timeouts, network) get codes of their own.
 */
import type { ApiErrorBody, FailureReason } from "./types.ts"

/** The API's own codes (SPEC §7). */
export type ApiErrorCode = ApiErrorBody["error_code"]

/**
 * Every `errorCode` a `MediaError` can carry:
 * - the API's `INVALID_REQUEST`, `ACCESS_DENIED`, `FILE_NOT_FOUND`, `INTERNAL_ERROR`;
 * - `UPLOAD_REJECTED`: storage refused the upload form (S3 XML error; `storageCode` says which, e.g. `EntityTooLarge`);
 * - `PROCESSING_FAILED`: the file ended `failed` (`failureReason` says why);
 * - `FILE_NOT_READY`: a download of a file that is not `ready`;
 * - `TIMEOUT`: `waitUntilReady` ran out of time;
 * - `NETWORK_ERROR`: no HTTP answer at all (status 0);
 * - `UNEXPECTED_RESPONSE`: an answer that is not the API's (a proxy's HTML page, say).
 */
export type MediaErrorCode =
  | ApiErrorCode
  | "UPLOAD_REJECTED"
  | "PROCESSING_FAILED"
  | "FILE_NOT_READY"
  | "TIMEOUT"
  | "NETWORK_ERROR"
  | "UNEXPECTED_RESPONSE"

/** What a `MediaError` is made of; see the class. */
export interface MediaErrorOptions {
  readonly status: number
  readonly errorCode: MediaErrorCode
  readonly message: string
  readonly requestId?: string | undefined
  readonly storageCode?: string | undefined
  readonly failureReason?: FailureReason | undefined
  readonly fileId?: string | undefined
  readonly cause?: unknown
}

/**
 * A failed call. `status` is the HTTP status (0 when there was no answer),
 * `errorCode` the API's `error_code` or a client code (see `MediaErrorCode`),
 * `requestId` the API's `request_id` (= its `x-request-id` header) when the
 * API answered. `retryable` tells transient failures (network, 5xx, 429),
 * which the client already retried, from refusals that will not change.
 */
export class MediaError extends Error {
  override readonly name = "MediaError"
  readonly status: number
  readonly errorCode: MediaErrorCode
  readonly requestId: string | undefined
  /** Storage's own error code (`AccessDenied`, `EntityTooLarge`, …) for `UPLOAD_REJECTED`. */
  readonly storageCode: string | undefined
  /** SPEC §6 reason for `PROCESSING_FAILED`. */
  readonly failureReason: FailureReason | undefined
  /** The file concerned, when known. */
  readonly fileId: string | undefined

  constructor(options: MediaErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause })
    this.status = options.status
    this.errorCode = options.errorCode
    this.requestId = options.requestId
    this.storageCode = options.storageCode
    this.failureReason = options.failureReason
    this.fileId = options.fileId
  }

  /** Transient: no answer, a 5xx or a 429. Such failures are worth retrying; everything else is final. */
  get retryable(): boolean {
    return this.errorCode === "NETWORK_ERROR" || this.status >= 500 || this.status === 429
  }
}

/** True for a `MediaError`, optionally of one code: `if (isMediaError(e, "FILE_NOT_FOUND")) …`. */
export const isMediaError = (error: unknown, errorCode?: MediaErrorCode): error is MediaError =>
  error instanceof MediaError && (errorCode === undefined || error.errorCode === errorCode)

const apiCodes: ReadonlySet<string> = new Set(["INVALID_REQUEST", "ACCESS_DENIED", "FILE_NOT_FOUND", "INTERNAL_ERROR"])

/** The `MediaError` of an API response that is not 2xx; reads the body. */
export const fromApiResponse = async (response: Response): Promise<MediaError> => {
  const headerId = response.headers.get("x-request-id") ?? undefined
  const text = await response.text().catch(() => "")
  try {
    const body = JSON.parse(text) as Partial<ApiErrorBody>
    if (typeof body.error_code === "string" && apiCodes.has(body.error_code)) {
      return new MediaError({
        status: response.status,
        errorCode: body.error_code,
        message: body.error_data?.message ?? response.statusText,
        requestId: body.request_id ?? headerId
      })
    }
  } catch {
    // not JSON: handled below
  }
  return new MediaError({
    status: response.status,
    errorCode: "UNEXPECTED_RESPONSE",
    message: `HTTP ${response.status}${text.length > 0 ? `: ${text.slice(0, 200)}` : ""}`,
    requestId: headerId
  })
}

const xmlElement = (xml: string, name: string) => xml.match(new RegExp(`<${name}>([^<]*)</${name}>`))?.[1]

/** The `MediaError` of storage's answer to the upload form: S3's XML `<Error><Code>…</Code><Message>…</Message></Error>`. */
export const fromStorageResponse = (status: number, body: string, fileId: string): MediaError => {
  const storageCode = xmlElement(body, "Code")
  const message = xmlElement(body, "Message")
  return new MediaError({
    status,
    errorCode: status >= 500 || status === 429 ? "INTERNAL_ERROR" : "UPLOAD_REJECTED",
    message: `storage refused the upload: ${storageCode ?? `HTTP ${status}`}${message === undefined ? "" : ` (${message})`}`,
    storageCode,
    fileId
  })
}

/** Storage says the pre-signed POST is past its expiry (S3: 403 AccessDenied, "Policy expired"). */
export const isExpiredTarget = (error: MediaError): boolean =>
  error.errorCode === "UPLOAD_REJECTED" && error.storageCode === "AccessDenied" && /expired/i.test(error.message)

// fetch says only "fetch failed"; the reason (ECONNREFUSED, a TLS error, …) is in its cause.
const describeCause = (cause: unknown): string => {
  if (!(cause instanceof Error)) return String(cause)
  const inner = cause.cause as { code?: unknown; message?: unknown } | undefined
  const detail = typeof inner?.code === "string" ? inner.code : typeof inner?.message === "string" ? inner.message : undefined
  return detail === undefined ? cause.message : `${cause.message} (${detail})`
}

/** A network failure (fetch rejected) as a `MediaError`. */
export const networkError = (cause: unknown): MediaError =>
  new MediaError({
    status: 0,
    errorCode: "NETWORK_ERROR",
    message: `network error: ${describeCause(cause)}`,
    cause
  })
