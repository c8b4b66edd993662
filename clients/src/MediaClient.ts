/**
 * The Promise client of the API for every JavaScript runtime (browsers, Node,
 * Deno): the glue the README's curl walk-through does by hand — upload target,
 * form POST with progress, retries, readiness, paginated search, downloads.
 */
import { ApiCaller, authorizationHeader } from "./ApiCaller.ts"
import { backoffDelay, resolveRetry, sleep, throwIfAborted } from "./Backoff.ts"
import type { CallOptions, MediaClientOptions, SearchQuery, UploadOptions, Variant, WaitOptions } from "./ClientOptions.ts"
import { fetchTransport, type FormTransport, xhrTransport } from "./FormTransport.ts"
import { fromStorageResponse, isExpiredTarget, MediaError } from "./MediaError.ts"
import type { MediaFile, SearchPage, UploadTicket } from "./types.ts"
import { uploadFormParts } from "./UploadForm.ts"
import { prepareSource, sniffContentType, type UploadBody } from "./UploadSource.ts"

const extensions: Readonly<Record<string, string>> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
  "image/gif": "gif"
}

const invalid = (message: string) => new MediaError({ status: 0, errorCode: "INVALID_REQUEST", message })

/** Seconds of validity a target or a signed URL must still have to be used. */
const expirySlackSeconds = 30

const nowSeconds = () => Date.now() / 1000

/**
 * The API client. Every method rejects with a `MediaError` (typed by
 * `errorCode`, keeping the API's `requestId`), or with `signal.reason` when
 * aborted. Transient failures (network, 5xx, 429) are retried with capped
 * exponential backoff; refusals (4xx) never are.
 *
 * ```ts
 * const media = new MediaClient({ baseUrl: "http://localhost:8080", auth: { apiId, password } })
 * const file = await media.upload(blob, { entityId: "1RT823V93|SKU-001|DAMAGED|51076f94" })
 * const ready = await media.waitUntilReady(file.file_id)
 * ```
 */
export class MediaClient {
  readonly baseUrl: string
  readonly #api: ApiCaller
  readonly #transport: FormTransport
  readonly #maxBufferBytes: number

  constructor(options: MediaClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "")
    const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis)
    this.#api = new ApiCaller(this.baseUrl, authorizationHeader(options.auth), resolveRetry(options.retry), fetchImpl)
    const mode = options.uploadTransport ?? "auto"
    const useXhr = mode === "xhr" || (mode === "auto" && typeof XMLHttpRequest !== "undefined")
    this.#transport = useXhr ? xhrTransport : fetchTransport(fetchImpl)
    this.#maxBufferBytes = options.maxBufferBytes ?? 26_214_400
  }

  /**
   * Uploads a photo for an entity (SPEC §3): asks for a pre-signed target,
   * POSTs the form (every field in order, the file last as `file`), retries
   * transient failures, asks for a new target when the old one expired, and
   * resolves with the file record once storage accepted the bytes (status
   * `uploaded` or later; see `waitUntilReady`).
   *
   * Errors: `INVALID_REQUEST` (bad entity key, content type — HEIC must be
   * converted to JPEG on the device —, size), `ACCESS_DENIED`,
   * `UPLOAD_REJECTED` (storage refused the form: too large, wrong size…).
   * On abort or failure the half-made record is deleted in the background.
   */
  async upload(body: UploadBody, options: UploadOptions): Promise<MediaFile> {
    const { signal } = options
    throwIfAborted(signal)
    const source = await prepareSource(body, options.fileSize, this.#maxBufferBytes)
    if (options.fileSize !== undefined && source.size !== options.fileSize) {
      throw invalid(`fileSize is ${options.fileSize} bytes, but the body has ${source.size}`)
    }
    const contentType = options.contentType ?? source.type ?? sniffContentType(source.head) ?? "application/octet-stream"
    const filename = options.filename ?? source.name ?? `upload.${extensions[contentType.toLowerCase()] ?? "bin"}`
    const request = {
      content_type: contentType,
      entity_type: options.entityType ?? "shipment_item",
      entity_id: options.entityId,
      file_size: source.size
    }

    let ticket: UploadTicket | undefined
    let failures = 0
    let retargets = 0
    // Bounded: every pass either returns, throws, or uses up one failure or one re-target.
    for (let attempt = 1;; attempt++) {
      if (ticket === undefined || ticket.expires_at - expirySlackSeconds <= nowSeconds()) {
        if (ticket !== undefined) this.#discard(ticket.file_id)
        ticket = await this.#api.json<UploadTicket>({ method: "POST", path: "/v1/media/upload-url", body: request, signal })
      }
      try {
        await this.#sendForm(ticket, source, { contentType, filename }, signal, attempt, options.onProgress)
        return await this.get(ticket.file_id, { signal })
      } catch (error) {
        if (signal?.aborted === true) {
          this.#discard(ticket.file_id)
          throw signal.reason
        }
        const canRetry = error instanceof MediaError && source.replayable()
        if (canRetry && isExpiredTarget(error) && retargets < 2) {
          retargets += 1
          this.#discard(ticket.file_id)
          ticket = undefined
          continue
        }
        if (canRetry && error.retryable && failures + 1 < this.#api.retry.attempts) {
          await sleep(backoffDelay(this.#api.retry, failures), signal).catch((reason) => {
            this.#discard(ticket!.file_id)
            throw reason
          })
          failures += 1
          continue
        }
        this.#discard(ticket.file_id)
        throw error
      }
    }
  }

  /**
   * Polls the file (backoff from 250 ms to 2 s) until it is `ready` and
   * resolves with it (signed URLs included). Rejects with `PROCESSING_FAILED`
   * (`failureReason` set, SPEC §6) when it ends `failed`, `TIMEOUT` after
   * `timeout` ms, `FILE_NOT_FOUND` if it was deleted.
   */
  async waitUntilReady(fileId: string, options: WaitOptions = {}): Promise<MediaFile> {
    const deadline = Date.now() + (options.timeout ?? 120_000)
    for (let n = 0;; n++) {
      const file = await this.get(fileId, options)
      if (file.status === "ready") return file
      if (file.status === "failed") {
        throw new MediaError({
          status: 0,
          errorCode: "PROCESSING_FAILED",
          message: `processing failed: ${file.failure_reason ?? "unknown reason"}`,
          failureReason: file.failure_reason,
          fileId
        })
      }
      const remaining = deadline - Date.now()
      if (remaining <= 0) {
        throw new MediaError({
          status: 0,
          errorCode: "TIMEOUT",
          message: `file ${fileId} is still ${file.status} after ${options.timeout ?? 120_000} ms`,
          fileId
        })
      }
      await sleep(Math.min(remaining, backoffDelay({ baseDelayMs: 250, maxDelayMs: 2000 }, n)), options.signal)
    }
  }

  /** The file record (SPEC §2); `FILE_NOT_FOUND` for an unknown id or another account's file. */
  async get(fileId: string, options: CallOptions = {}): Promise<MediaFile> {
    return this.#api.json<MediaFile>({ method: "GET", path: `/v1/media/${encodeURIComponent(fileId)}`, signal: options.signal })
  }

  /**
   * Every file of an entity (whole-part prefix match, SPEC §4), across all
   * pages, in the API's order (entity id, then creation time). Files in every
   * status are included. `INVALID_REQUEST` for a bad key.
   *
   * ```ts
   * for await (const file of media.search({ entityId: "1RT823V93" })) console.log(file.file_id)
   * ```
   */
  async *search(query: SearchQuery): AsyncGenerator<MediaFile, void, undefined> {
    for await (const page of this.searchPages(query)) yield* page.files
  }

  /** The pages behind `search`, one API call each (the cursor is handled). */
  async *searchPages(query: SearchQuery): AsyncGenerator<SearchPage, void, undefined> {
    let cursor: string | undefined
    do {
      const page: SearchPage = await this.#api.json<SearchPage>({
        method: "GET",
        path: "/v1/media/search",
        query: {
          entity_type: query.entityType ?? "shipment_item",
          entity_id: query.entityId,
          limit: query.limit,
          cursor
        },
        signal: query.signal
      })
      yield page
      cursor = page.cursor
    } while (cursor !== undefined)
  }

  /** Deletes the file and every stored object of it (SPEC §3). `FILE_NOT_FOUND` if there is no such file. */
  async delete(fileId: string, options: CallOptions = {}): Promise<void> {
    await this.#api.json<undefined>({
      method: "DELETE",
      path: `/v1/media/${encodeURIComponent(fileId)}`,
      signal: options.signal,
      notFoundAfterRetryIsSuccess: true
    })
  }

  /**
   * Fetches the processed image or its thumbnail through the signed CDN URL
   * and resolves with the `Response` (status 200, body unread: stream it or
   * call `arrayBuffer()`). Takes a file record or an id. An expired or
   * refused URL is refreshed once by reading the file again. Errors:
   * `FILE_NOT_READY`, `FILE_NOT_FOUND`, `UNEXPECTED_RESPONSE` (the CDN's status).
   */
  async download(file: MediaFile | string, variant: Variant = "image", options: CallOptions = {}): Promise<Response> {
    let current = typeof file === "string" ? await this.get(file, options) : file
    let refreshed = typeof file === "string"
    for (;;) {
      if (current.status !== "ready") {
        throw new MediaError({
          status: 0,
          errorCode: "FILE_NOT_READY",
          message: `file ${current.file_id} is ${current.status}, not ready`,
          fileId: current.file_id
        })
      }
      const url = variant === "image" ? current.download_url : current.thumbnail_url
      const expiresAt = variant === "image" ? current.download_expires_at : current.thumbnail_expires_at
      const stale = url === undefined || (expiresAt ?? 0) - expirySlackSeconds <= nowSeconds()
      if (stale && !refreshed) {
        current = await this.get(current.file_id, options)
        refreshed = true
        continue
      }
      const response = await this.#api.withRetry(options.signal, async () => {
        const answer = await this.#api.send(url ?? "", { method: "GET", signal: options.signal })
        if (answer.ok) return answer
        const error = new MediaError({
          status: answer.status,
          errorCode: "UNEXPECTED_RESPONSE",
          message: `the CDN answered ${answer.status} for the ${variant} of ${current.file_id}`,
          fileId: current.file_id
        })
        await answer.body?.cancel().catch(() => undefined)
        throw error
      }).catch(async (error: unknown) => {
        // A signed URL that stopped working (expired, clock skew): sign again once.
        if (!refreshed && error instanceof MediaError && (error.status === 403 || error.status === 404)) return undefined
        throw error
      })
      if (response !== undefined) return response
      current = await this.get(current.file_id, options)
      refreshed = true
    }
  }

  /** `download` read into memory: the JPEG's bytes. */
  async downloadBytes(file: MediaFile | string, variant: Variant = "image", options: CallOptions = {}): Promise<Uint8Array> {
    const response = await this.download(file, variant, options)
    return new Uint8Array(await response.arrayBuffer())
  }

  // -- internals --

  async #sendForm(
    ticket: UploadTicket,
    source: Awaited<ReturnType<typeof prepareSource>>,
    file: { readonly contentType: string; readonly filename: string },
    signal: AbortSignal | undefined,
    attempt: number,
    onProgress: UploadOptions["onProgress"]
  ): Promise<void> {
    let last = 0
    const report = (loaded: number) => {
      if (onProgress === undefined || loaded <= last) return
      const bytes = loaded - last
      last = loaded
      onProgress({ loaded, total: source.size, bytes, attempt })
    }
    const answer = await this.#transport({
      url: ticket.upload_url,
      parts: uploadFormParts(ticket.fields, file),
      source,
      signal,
      onProgress: report
    })
    if (answer.status >= 200 && answer.status < 300) {
      report(source.size)
      return
    }
    throw fromStorageResponse(answer.status, answer.body, ticket.file_id)
  }

  /** Deletes a record an upload gave up on, in the background (SPEC §3: deleting an uploading file leaves nothing behind). */
  #discard(fileId: string): void {
    this.delete(fileId).catch(() => undefined)
  }


}
