/**
 * An S3 POST form body as a stream of events, parsed with effect's low-level
 * multipart parser. The part named `file` is always raw bytes, as S3 stores it,
 * whatever its headers say (with or without `filename=`, any Content-Type);
 * every other part is a text field unless it looks like a file upload.
 */
import { Stream } from "effect"
import { Multipart, MultipartParser } from "effect/http"

export type FormEvent =
  | { readonly _tag: "Field"; readonly name: string; readonly value: string }
  /** A part read as bytes: the `file` part, or another part sent as a file (the caller decides what that means). */
  | { readonly _tag: "FileStart"; readonly name: string }
  | { readonly _tag: "FileChunk"; readonly bytes: Uint8Array }
  | { readonly _tag: "FileEnd" }

export interface FormLimits {
  readonly maxParts: number
  /** Largest text field. */
  readonly maxFieldBytes: number
  /** The whole body. */
  readonly maxBodyBytes: number
}

/** The parser's errors as effect's MultipartError reasons, as `request.multipartStream` reports them. */
const toMultipartError = (error: MultipartParser.MultipartError): Multipart.MultipartError => {
  if (error._tag !== "ReachedLimit") return Multipart.MultipartError.fromReason("Parse", error)
  switch (error.limit) {
    case "MaxParts":
      return Multipart.MultipartError.fromReason("TooManyParts", error)
    case "MaxFieldSize":
      return Multipart.MultipartError.fromReason("FieldTooLarge", error)
    case "MaxPartSize":
      return Multipart.MultipartError.fromReason("FileTooLarge", error)
    case "MaxTotalSize":
      return Multipart.MultipartError.fromReason("BodyTooLarge", error)
  }
}

/**
 * The events of the multipart body `body` (with the request's `headers`, for the boundary).
 * Pulled chunk by chunk: a consumer that writes each FileChunk before asking for more holds
 * at most one network chunk of the file in memory.
 */
export const formEvents = <E, R>(
  headers: Readonly<Record<string, string>>,
  body: Stream.Stream<Uint8Array, E, R>,
  limits: FormLimits
): Stream.Stream<FormEvent, E | Multipart.MultipartError, R> =>
  Stream.suspend(() => {
    let events: Array<FormEvent> = []
    let failure: Multipart.MultipartError | undefined
    const parser = MultipartParser.make({
      headers: { ...headers },
      isFile: (info) => info.name === "file" || MultipartParser.defaultIsFile(info),
      maxParts: limits.maxParts,
      maxFieldSize: limits.maxFieldBytes,
      maxTotalSize: limits.maxBodyBytes,
      onField: (info, value) => {
        events.push({ _tag: "Field", name: info.name, value: MultipartParser.decodeField(info, value) })
      },
      onFile: (info) => {
        events.push({ _tag: "FileStart", name: info.name })
        return (chunk) => {
          events.push(chunk === null ? { _tag: "FileEnd" } : { _tag: "FileChunk", bytes: chunk })
        }
      },
      onError: (error) => {
        failure ??= toMultipartError(error)
      },
      onDone: () => {}
    })
    // Everything parsed so far, then the first parse error if there was one.
    const drain = (): Stream.Stream<FormEvent, Multipart.MultipartError> => {
      const ready = events
      events = []
      const parsed = Stream.fromArray(ready)
      return failure === undefined ? parsed : Stream.concat(parsed, Stream.fail(failure))
    }
    return body.pipe(
      Stream.flatMap((chunk) => {
        parser.write(chunk)
        return drain()
      }),
      Stream.concat(Stream.suspend(() => {
        parser.end()
        return drain()
      }))
    )
  })
