/**
 * The multipart/form-data body of an S3 pre-signed POST (SPEC §3): every
 * entry of `fields` in order, then the file in a field named `file` with a
 * filename. Built as bytes around the file so every transport (fetch stream,
 * XHR, a test's stub) sends exactly the same form and knows its length.
 */

export interface UploadFormParts {
  /** The request's `Content-Type`: `multipart/form-data; boundary=…`. */
  readonly contentType: string
  /** Every field, then the file part's headers. */
  readonly head: Uint8Array
  /** The closing boundary after the file's bytes. */
  readonly tail: Uint8Array
}

const encoder = new TextEncoder()

// Quotes and line breaks cannot appear in a quoted header value; browsers percent-encode them the same way.
const quote = (value: string) => value.replace(/"/g, "%22").replace(/\r/g, "%0D").replace(/\n/g, "%0A")

const randomBoundary = () => {
  const bytes = new Uint8Array(16)
  globalThis.crypto.getRandomValues(bytes)
  return `----MediaClientBoundary${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`
}

/** The form around a file of `contentType` named `filename`; `boundary` is random unless given (tests). */
export const uploadFormParts = (
  fields: Readonly<Record<string, string>>,
  file: { readonly filename: string; readonly contentType: string },
  boundary: string = randomBoundary()
): UploadFormParts => {
  let head = ""
  for (const [name, value] of Object.entries(fields)) {
    head += `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`
  }
  head += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quote(file.filename)}"\r\n` +
    `Content-Type: ${file.contentType}\r\n\r\n`
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    head: encoder.encode(head),
    tail: encoder.encode(`\r\n--${boundary}--\r\n`)
  }
}
