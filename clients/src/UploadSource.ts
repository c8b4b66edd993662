/**
 * What `upload` accepts, made uniform: a size, a name and type when known, and
 * passes over the bytes in chunks of at most 64 KiB (the unit of progress).
 * A stream can be read once; its bytes are kept (up to a bound) so a retried
 * or re-targeted upload can send them again.
 */
import { MediaError } from "./MediaError.ts"

/**
 * The bytes of an upload: a `File`/`Blob`, an `ArrayBuffer` or typed array
 * (a Node `Buffer` included), a web `ReadableStream<Uint8Array>`, or any
 * async iterable of byte chunks (a Node `Readable`, e.g. `fs.createReadStream`).
 */
export type UploadBody = Blob | ArrayBuffer | ArrayBufferView | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>

export interface PreparedSource {
  /** Bytes in all. */
  readonly size: number
  /** The `File`'s name, when the body is a `File`. */
  readonly name: string | undefined
  /** The `Blob`'s MIME type, when it has one. */
  readonly type: string | undefined
  /** One pass over the bytes; a pass over a stream that outgrew its replay buffer fails with `NotReplayable`. */
  readonly chunks: () => AsyncIterable<Uint8Array>
  /** The bytes as one Blob (for XMLHttpRequest, which cannot stream a request). */
  readonly blob: () => Promise<Blob>
  /** The first bytes (for sniffing the content type). */
  readonly head: Uint8Array
  /** False once a stream was read beyond its replay buffer: another pass would fail. */
  readonly replayable: () => boolean
}

const chunkSize = 64 * 1024

function* slices(bytes: Uint8Array): Generator<Uint8Array> {
  for (let offset = 0; offset < bytes.byteLength; offset += chunkSize) {
    yield bytes.subarray(offset, Math.min(bytes.byteLength, offset + chunkSize))
  }
}

const toBytes = (chunk: unknown): Uint8Array => {
  if (chunk instanceof Uint8Array) return chunk
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk)
  if (typeof chunk === "string") return new TextEncoder().encode(chunk)
  throw new TypeError("upload stream chunks must be bytes")
}

const iterate = (body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): AsyncIterator<Uint8Array> => {
  if (Symbol.asyncIterator in body) return (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]()
  const reader = (body as ReadableStream<Uint8Array>).getReader()
  return {
    next: () => reader.read() as Promise<IteratorResult<Uint8Array>>,
    return: async () => {
      await reader.cancel().catch(() => undefined)
      return { done: true, value: undefined }
    }
  }
}

const isStream = (body: UploadBody): body is ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> =>
  (typeof ReadableStream !== "undefined" && body instanceof ReadableStream) ||
  (typeof body === "object" && body !== null && Symbol.asyncIterator in body)

const invalid = (message: string) => new MediaError({ status: 0, errorCode: "INVALID_REQUEST", message })

const ofBytes = (bytes: Uint8Array, name?: string, type?: string): PreparedSource => ({
  size: bytes.byteLength,
  name,
  type,
  chunks: async function*() {
    yield* slices(bytes)
  },
  blob: async () => new Blob([bytes as Uint8Array<ArrayBuffer>]),
  head: bytes.subarray(0, 16),
  replayable: () => true
})

/**
 * Makes `body` uniform. A stream of unknown size (`declaredSize` undefined)
 * is read into memory first, at most `maxBytes` (storage needs the length
 * up front); a stream of declared size is read as it is sent, keeping at most
 * `maxBytes` for replays.
 */
export const prepareSource = async (
  body: UploadBody,
  declaredSize: number | undefined,
  maxBytes: number
): Promise<PreparedSource> => {
  if (typeof Blob !== "undefined" && body instanceof Blob) {
    const head = new Uint8Array(await body.slice(0, 16).arrayBuffer())
    const name = typeof File !== "undefined" && body instanceof File ? body.name : undefined
    return {
      size: body.size,
      name,
      type: body.type === "" ? undefined : body.type,
      chunks: async function*() {
        for await (const chunk of iterable(body.stream())) yield* slices(chunk)
      },
      blob: async () => body,
      head,
      replayable: () => true
    }
  }
  if (body instanceof ArrayBuffer) return ofBytes(new Uint8Array(body))
  if (ArrayBuffer.isView(body)) return ofBytes(toBytes(body))
  if (!isStream(body)) throw invalid("upload body must be a Blob, bytes, a ReadableStream or an async iterable of bytes")

  const source = iterate(body)
  if (declaredSize === undefined) {
    const parts: Array<Uint8Array> = []
    let total = 0
    for (let step = await source.next(); step.done !== true; step = await source.next()) {
      const chunk = toBytes(step.value)
      total += chunk.byteLength
      if (total > maxBytes) {
        await source.return?.()
        throw invalid(`the stream is larger than ${maxBytes} bytes; pass fileSize to stream it`)
      }
      parts.push(chunk)
    }
    const all = new Uint8Array(total)
    let offset = 0
    for (const part of parts) {
      all.set(part, offset)
      offset += part.byteLength
    }
    return ofBytes(all)
  }
  return replayable(source, declaredSize, maxBytes)
}

const iterable = (stream: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> => ({
  [Symbol.asyncIterator]: () => iterate(stream)
})

/** A stream of declared size: chunks read so far are kept (up to `maxBytes`) and replayed first on the next pass. */
const replayable = async (source: AsyncIterator<Uint8Array>, size: number, maxBytes: number): Promise<PreparedSource> => {
  const kept: Array<Uint8Array> = []
  let read = 0
  let finished = false
  let overflowed = false
  let passes = 0

  const pull = async (): Promise<Uint8Array | undefined> => {
    if (finished) return undefined
    const step = await source.next()
    if (step.done === true) {
      finished = true
      if (read !== size) throw invalid(`the stream ended after ${read} bytes, but fileSize is ${size}`)
      return undefined
    }
    const chunk = toBytes(step.value)
    read += chunk.byteLength
    if (read > size) throw invalid(`the stream is longer than fileSize (${size} bytes)`)
    if (!overflowed && read <= maxBytes) kept.push(chunk)
    else {
      overflowed = true
      kept.length = 0
    }
    return chunk
  }

  // Sniffing needs the first bytes: read (and keep) the first chunk now.
  const first = size === 0 ? undefined : await pull()
  const head = first?.subarray(0, 16) ?? new Uint8Array(0)

  const chunks = async function*(): AsyncGenerator<Uint8Array> {
    passes += 1
    if (overflowed && passes > 1) throw new NotReplayable(maxBytes)
    // A first chunk larger than the buffer was never kept: the first pass still owes it.
    if (overflowed && first !== undefined) yield* slices(first)
    for (let i = 0; i < kept.length; i++) yield* slices(kept[i]!)
    for (let chunk = await pull(); chunk !== undefined; chunk = await pull()) yield* slices(chunk)
  }
  return {
    size,
    name: undefined,
    type: undefined,
    chunks,
    blob: async () => {
      const parts: Array<Uint8Array<ArrayBuffer>> = []
      for await (const chunk of chunks()) parts.push(chunk.slice())
      return new Blob(parts)
    },
    head,
    replayable: () => !overflowed
  }
}

/** A retry needed the bytes of a stream again, but more of it was read than the replay buffer keeps. */
export class NotReplayable extends MediaError {
  constructor(maxBytes: number) {
    super({
      status: 0,
      errorCode: "UPLOAD_REJECTED",
      message: `cannot retry: the stream was read beyond the ${maxBytes}-byte replay buffer; upload a Blob or bytes to allow retries`
    })
  }
}

/** The MIME type told by the first bytes: JPEG, PNG, GIF or WebP (SPEC §3's types), else undefined. */
export const sniffContentType = (head: Uint8Array): string | undefined => {
  const at = (i: number) => head[i]
  const ascii = (from: number, text: string) => [...text].every((c, i) => at(from + i) === c.charCodeAt(0))
  if (at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return "image/jpeg"
  if (at(0) === 0x89 && ascii(1, "PNG\r\n\x1a\n")) return "image/png"
  if (ascii(0, "GIF87a") || ascii(0, "GIF89a")) return "image/gif"
  if (ascii(0, "RIFF") && ascii(8, "WEBP")) return "image/webp"
  return undefined
}
