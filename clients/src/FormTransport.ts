/**
 * Sends the upload form to storage and reports the file's bytes as they go:
 * with fetch and a counting request stream (Node, Deno; `duplex: "half"`), or
 * with XMLHttpRequest's upload events (browsers, where fetch cannot stream a
 * request body to an HTTP/1.1 server).
 */
import { networkError } from "./MediaError.ts"
import type { UploadFormParts } from "./UploadForm.ts"
import type { PreparedSource } from "./UploadSource.ts"

export interface FormRequest {
  readonly url: string
  readonly parts: UploadFormParts
  readonly source: PreparedSource
  readonly signal: AbortSignal | undefined
  /** Bytes of the file (not of the form) sent so far, called as they go and once at the end. */
  readonly onProgress: (loaded: number) => void
}

/** Storage's answer: its status and body (S3's XML on errors). Network failures reject with `NETWORK_ERROR`; aborts with the signal's reason. */
export interface FormResponse {
  readonly status: number
  readonly body: string
}

export type FormTransport = (request: FormRequest) => Promise<FormResponse>

/** Through `fetch` with a streamed body whose file chunks are counted as the runtime pulls them. */
export const fetchTransport = (fetchImpl: typeof fetch): FormTransport => async (request) => {
  const { parts, source } = request
  let loaded = 0
  const iterator = source.chunks()[Symbol.asyncIterator]()
  let stage: "head" | "file" | "done" = "head"
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (stage === "head") {
        stage = "file"
        return controller.enqueue(parts.head)
      }
      if (stage === "done") return
      const step = await iterator.next()
      if (step.done === true) {
        stage = "done"
        controller.enqueue(parts.tail)
        return controller.close()
      }
      loaded += step.value.byteLength
      controller.enqueue(step.value)
      request.onProgress(loaded)
    },
    async cancel() {
      await iterator.return?.()
    }
  }, { highWaterMark: 0 })
  let response: Response
  try {
    response = await fetchImpl(request.url, {
      method: "POST",
      body,
      headers: {
        "content-type": parts.contentType,
        "content-length": String(parts.head.byteLength + source.size + parts.tail.byteLength)
      },
      signal: request.signal ?? null,
      // Required by the fetch spec for a stream body; not in every lib.dom yet.
      ...({ duplex: "half" } as object)
    })
  } catch (cause) {
    if (request.signal?.aborted === true) throw request.signal.reason
    // A stream that cannot be replayed or has the wrong length surfaces as the fetch's cause.
    if (cause instanceof Error && cause.cause instanceof Error && cause.cause.name === "MediaError") throw cause.cause
    throw networkError(cause)
  }
  const text = await response.text()
  return { status: response.status, body: text }
}

/** Through XMLHttpRequest (browsers): the form as one Blob, progress from `upload.onprogress`. */
export const xhrTransport: FormTransport = async (request) => {
  const { parts, source, signal } = request
  const file = await source.blob()
  const form = new Blob([parts.head as Uint8Array<ArrayBuffer>, file, parts.tail as Uint8Array<ArrayBuffer>])
  return new Promise<FormResponse>((resolve, reject) => {
    if (signal?.aborted === true) return reject(signal.reason)
    const xhr = new XMLHttpRequest()
    const onAbort = () => xhr.abort()
    const done = () => signal?.removeEventListener("abort", onAbort)
    xhr.open("POST", request.url)
    xhr.setRequestHeader("content-type", parts.contentType)
    xhr.upload.onprogress = (event) => {
      const fileBytes = Math.min(source.size, Math.max(0, event.loaded - parts.head.byteLength))
      request.onProgress(fileBytes)
    }
    xhr.onload = () => {
      done()
      if (xhr.status >= 200 && xhr.status < 300) request.onProgress(source.size)
      resolve({ status: xhr.status, body: xhr.responseText })
    }
    xhr.onerror = () => {
      done()
      reject(networkError(new Error("XMLHttpRequest failed")))
    }
    xhr.onabort = () => {
      done()
      reject(signal?.reason ?? new DOMException("The upload was aborted", "AbortError"))
    }
    signal?.addEventListener("abort", onAbort, { once: true })
    xhr.send(form)
  })
}
