/**
 * Verification of an S3 POST form signed with AWS Signature V4, as S3 does it:
 * the signature over the base64 policy, the credential scope, the expiry, every
 * condition, and no form field the policy does not cover.
 */
import { Effect, Redacted, Schema } from "effect"
import { createHmac, timingSafeEqual } from "node:crypto"
import type { LocalCredentials } from "./LocalCredentials.ts"
import * as S3Errors from "./S3Errors.ts"

export interface PolicyContext {
  /** The bucket the form was posted to (from the URL). */
  readonly bucket: string
  readonly credentials: LocalCredentials
  readonly region: string
  readonly nowMillis: number
}

/** What a verified form asks the endpoint to store. */
export interface VerifiedPost {
  readonly key: string
  /** The object's Content-Type (the form's `Content-Type` field, as in S3). */
  readonly contentType: string
  readonly minBytes: number
  readonly maxBytes: number
  readonly successStatus: 200 | 201 | 204
}

/** Fields S3 never requires the policy to mention. */
const exempt = (name: string) => name === "policy" || name === "x-amz-signature" || name === "file" || name.startsWith("x-ignore-")

const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data, "utf8").digest()

/** SigV4: the signing key is an HMAC chain over the scope; the POST signature signs the base64 policy itself. */
export const signPolicy = (secret: string, date: string, region: string, policy: string): string =>
  createHmac("sha256", hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), "s3"), "aws4_request"))
    .update(policy, "utf8")
    .digest("hex")

const PolicyDocument = Schema.Struct({ expiration: Schema.String, conditions: Schema.Array(Schema.Unknown) })
const decodeDocument = Schema.decodeUnknownEffect(Schema.fromJsonString(PolicyDocument))

type Condition =
  | { readonly op: "eq" | "starts-with"; readonly field: string; readonly value: string; readonly text: string }
  | { readonly op: "content-length-range"; readonly min: number; readonly max: number }

/** Conditions are quoted in errors the way S3 quotes them: `["eq", "$key", "..."]`. */
const quote = (op: string, field: string, value: string) => JSON.stringify([op, `$${field}`, value]).replace(/","/g, "\", \"")

const parseCondition = (raw: unknown): Condition | undefined => {
  if (Array.isArray(raw) && raw.length === 3) {
    const [op, a, b] = raw as [unknown, unknown, unknown]
    const name = typeof op === "string" ? op.toLowerCase() : ""
    if (name === "content-length-range") {
      const [min, max] = [Number(a), Number(b)]
      return Number.isSafeInteger(min) && Number.isSafeInteger(max) && min >= 0 && min <= max
        ? { op: name, min, max }
        : undefined
    }
    if ((name === "eq" || name === "starts-with") && typeof a === "string" && a.startsWith("$") && typeof b === "string") {
      return { op: name, field: a.slice(1).toLowerCase(), value: b, text: quote(name, a.slice(1), b) }
    }
    return undefined
  }
  if (typeof raw === "object" && raw !== null && !Array.isArray(raw)) {
    const entries = Object.entries(raw)
    const [entry] = entries
    if (entries.length === 1 && entry !== undefined && typeof entry[1] === "string") {
      return { op: "eq", field: entry[0].toLowerCase(), value: entry[1], text: quote("eq", entry[0], entry[1]) }
    }
  }
  return undefined
}

const amzDatePattern = /^(\d{8})T\d{6}Z$/

export const verifyPostPolicy = Effect.fnUntraced(function*(
  form: ReadonlyArray<readonly [name: string, value: string]>,
  context: PolicyContext
) {
  const fields = new Map<string, string>()
  for (const [name, value] of form) {
    const lower = name.toLowerCase()
    if (fields.has(lower)) return yield* S3Errors.invalidArgument(`The form field ${name} must not be repeated.`)
    fields.set(lower, value)
  }
  const policy = fields.get("policy")
  if (policy === undefined) return yield* S3Errors.accessDenied("Anonymous uploads are not allowed: the form has no policy.")
  const required = (name: string) =>
    Effect.fromNullishOr(fields.get(name)).pipe(
      Effect.mapError(() => S3Errors.invalidArgument(`Bucket POST must contain a field named '${name}'.`, { ArgumentName: name }))
    )
  const algorithm = yield* required("x-amz-algorithm")
  const credential = yield* required("x-amz-credential")
  const amzDate = yield* required("x-amz-date")
  const signature = yield* required("x-amz-signature")
  const key = yield* required("key")

  if (algorithm !== "AWS4-HMAC-SHA256") {
    return yield* S3Errors.invalidArgument("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\".")
  }
  const date = amzDatePattern.exec(amzDate)?.[1]
  if (date === undefined) return yield* S3Errors.invalidArgument("X-Amz-Date must be in the ISO8601 basic format.")
  const scope = credential.split("/")
  if (scope.length !== 5) return yield* S3Errors.invalidArgument("X-Amz-Credential is malformed.")
  const [accessKeyId, scopeDate, region, service, terminator] = scope
  if (accessKeyId !== context.credentials.accessKeyId) return yield* S3Errors.invalidAccessKeyId()
  if (scopeDate !== date || region !== context.region || service !== "s3" || terminator !== "aws4_request") {
    return yield* S3Errors.invalidArgument(
      `X-Amz-Credential must be scoped to ${date}/${context.region}/s3/aws4_request.`
    )
  }
  const expected = Buffer.from(signPolicy(Redacted.value(context.credentials.secretAccessKey), date, region, policy), "utf8")
  const given = Buffer.from(signature.toLowerCase(), "utf8")
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return yield* S3Errors.signatureDoesNotMatch()
  }

  // Signed by us from here on; a malformed document is still refused rather than trusted.
  const document = yield* decodeDocument(Buffer.from(policy, "base64").toString("utf8")).pipe(
    Effect.mapError(() => S3Errors.invalidPolicyDocument("Invalid Policy: the policy is not a valid policy document."))
  )
  const expiration = Date.parse(document.expiration)
  if (Number.isNaN(expiration)) return yield* S3Errors.invalidPolicyDocument("Invalid Policy: Invalid 'expiration' value.")
  if (context.nowMillis > expiration) return yield* S3Errors.accessDenied("Invalid according to Policy: Policy expired.")

  // `bucket` is checked against the URL's bucket; a `bucket` form field must name the same one.
  const valueOf = (name: string) => (name === "bucket" ? context.bucket : fields.get(name))
  const bucketField = fields.get("bucket")
  if (bucketField !== undefined && bucketField !== context.bucket) {
    return yield* S3Errors.invalidArgument("The bucket form field does not match the bucket of the request.")
  }
  const covered = new Set<string>()
  let minBytes = 0
  let maxBytes = Number.POSITIVE_INFINITY
  for (const raw of document.conditions) {
    const condition = parseCondition(raw)
    if (condition === undefined) {
      return yield* S3Errors.invalidPolicyDocument(`Invalid Policy: Invalid Condition: ${JSON.stringify(raw)}`)
    }
    if (condition.op === "content-length-range") {
      minBytes = Math.max(minBytes, condition.min)
      maxBytes = Math.min(maxBytes, condition.max)
      continue
    }
    const actual = valueOf(condition.field)
    const holds = actual !== undefined &&
      (condition.op === "eq" ? actual === condition.value : actual.startsWith(condition.value))
    if (!holds) return yield* S3Errors.accessDenied(`Invalid according to Policy: Policy Condition failed: ${condition.text}`)
    covered.add(condition.field)
  }
  const extra = [...fields.keys()].filter((name) => !exempt(name) && !covered.has(name))
  if (extra.length > 0) return yield* S3Errors.accessDenied(`Invalid according to Policy: Extra input fields: ${extra.join(", ")}`)

  const status = fields.get("success_action_status")
  const verified: VerifiedPost = {
    key,
    contentType: fields.get("content-type") ?? "binary/octet-stream",
    minBytes,
    maxBytes,
    successStatus: status === "200" ? 200 : status === "201" ? 201 : 204
  }
  return verified
})
