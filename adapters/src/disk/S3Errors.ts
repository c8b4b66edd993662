/**
 * S3's error responses as the embedded upload endpoint answers them:
 * `<Error><Code>…</Code><Message>…</Message></Error>` with S3's status codes.
 */
import { Schema } from "effect"
import { HttpServerResponse } from "effect/http"

export class S3Error extends Schema.TaggedError<S3Error>()("S3Error", {
  status: Schema.Number,
  code: Schema.String,
  message: Schema.String,
  /** Extra elements S3 adds for some codes (MaxSizeAllowed, ArgumentName, ...). */
  details: Schema.optional(Schema.Record(Schema.String, Schema.String))
}) {}

const error = (status: number, code: string) => (message: string, details?: Record<string, string>) =>
  new S3Error({ status, code, message, ...(details === undefined ? {} : { details }) })

export const accessDenied = error(403, "AccessDenied")
export const signatureDoesNotMatch = () =>
  error(403, "SignatureDoesNotMatch")(
    "The request signature we calculated does not match the signature you provided. Check your key and signing method."
  )
export const invalidAccessKeyId = () =>
  error(403, "InvalidAccessKeyId")("The AWS Access Key Id you provided does not exist in our records.")
export const invalidArgument = error(400, "InvalidArgument")
export const invalidPolicyDocument = error(400, "InvalidPolicyDocument")
export const entityTooLarge = (maxSizeAllowed: number) =>
  error(400, "EntityTooLarge")("Your proposed upload exceeds the maximum allowed size", {
    MaxSizeAllowed: String(maxSizeAllowed)
  })
export const entityTooSmall = (size: number, minSizeAllowed: number) =>
  error(400, "EntityTooSmall")("Your proposed upload is smaller than the minimum allowed size", {
    ProposedSize: String(size),
    MinSizeAllowed: String(minSizeAllowed)
  })
export const malformedPost = () =>
  error(400, "MalformedPOSTRequest")("The body of your POST request is not well-formed multipart/form-data.")
export const fieldsTooLarge = () =>
  error(400, "MaxPOSTPreDataLengthExceeded")("Your POST request fields preceding the upload file were too large.")
export const notMultipart = () =>
  error(412, "PreconditionFailed")("Bucket POST must be of the enclosure-type multipart/form-data")
export const corsForbidden = () =>
  error(403, "AccessForbidden")("CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.")
export const internalError = () => error(500, "InternalError")("We encountered an internal error. Please try again.")
/** A `Range` that starts past the object's end (416). */
export const invalidRange = () => error(416, "InvalidRange")("The requested range is not satisfiable")
/** S3's answer when it cannot take a request for now; S3's SDKs retry it with backoff. */
export const serviceUnavailable = error(503, "ServiceUnavailable")

const escapeXml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&apos;" })[c] ?? c)

const element = (name: string, value: string) => `<${name}>${escapeXml(value)}</${name}>`

export const toXml = (e: S3Error): string =>
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>" +
  element("Code", e.code) +
  element("Message", e.message) +
  Object.entries(e.details ?? {}).map(([name, value]) => element(name, value)).join("") +
  "</Error>"

export const toResponse = (e: S3Error, headers: Readonly<Record<string, string>> = {}) =>
  HttpServerResponse.text(toXml(e), { status: e.status, contentType: "application/xml", headers })
