/**
 * What the generated OpenAPI document needs beyond the schemas: annotations
 * for values a decoder accepts more loosely than it documents, and the
 * API-wide post-processing (response headers, route errors, statuses that
 * only bodies can cause). Everything here edits what `OpenApi.fromApi` made.
 */
import { Schema } from "effect"
import type { OpenApi } from "effect/http-api"

/**
 * Schema annotation: the JSON Schema `enum` of a string whose decoder accepts
 * more spellings than the canonical ones (e.g. MIME types in any case). Only
 * documents are affected, through `fromApiOptions`.
 */
export const documentEnum = (values: ReadonlyArray<string>): { readonly enum: ReadonlyArray<string> } => ({
  enum: values
})

/** Options for `OpenApi.fromApi`: one shared object, since the document is cached per options object. */
export const fromApiOptions: OpenApi.FromApiOptions = { includeAnnotationKey: (key) => key === "enum" }

type Json = Record<string, any>

/**
 * Endpoint `OpenApi.Transform`: document query parameter `name` as the value
 * it decodes to (a query string only carries text, so the generated schema
 * is the string's; e.g. `limit` is documented as an integer with bounds and default).
 */
export const documentParameterAs = (name: string, schema: Schema.Top) => (operation: Json): Json => ({
  ...operation,
  parameters: (operation.parameters as Array<Json>).map((parameter) =>
    parameter.name === name ? { ...parameter, schema: Schema.toJsonSchemaDocument(schema).schema } : parameter
  )
})

const methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]

/** Statuses HttpApi declares for every endpoint of the middleware but that only a request body can cause. */
const bodyOnlyStatuses = ["413", "415"]

const headers = {
  RequestId: {
    description: "The request's id: the client's own `x-request-id` when it is 1-128 characters of " +
      "`[A-Za-z0-9._-]`, otherwise a new UUID. An error body's `request_id` equals it.",
    required: true,
    schema: { type: "string", pattern: "^[A-Za-z0-9._-]{1,128}$" }
  },
  WwwAuthenticate: {
    description: "The accepted authentication schemes",
    required: true,
    schema: { type: "string", examples: [`Basic realm="media", Bearer`] }
  }
}

const ref = (name: keyof typeof headers) => ({ $ref: `#/components/headers/${name}` })

const errorsDescription = `

## Errors

Every error has the body \`{ "error_code", "error_data": { "message" }, "request_id" }\` and every response an \`x-request-id\` header.

| status | error_code | when |
|---|---|---|
| 400 | INVALID_REQUEST | malformed JSON, unknown or invalid body properties, a path or query that is not valid UTF-8, a bad \`limit\`, \`cursor\` or entity id |
| 401 | ACCESS_DENIED | missing or wrong credentials (with a \`WWW-Authenticate\` header) |
| 403 | ACCESS_DENIED | the credentials lack the endpoint's permission |
| 404 | FILE_NOT_FOUND | an unknown file id, or another account's file |
| 404 | INVALID_REQUEST | no route for the path (any path not listed here) |
| 405 | INVALID_REQUEST | a listed path with another method; the \`Allow\` header lists the methods it accepts |
| 413 | INVALID_REQUEST | a request body over the API's body limit |
| 415 | INVALID_REQUEST | a request body that is not \`application/json\` |
| 500 | INTERNAL_ERROR | anything unexpected; the message reveals nothing internal |
| 503 | INTERNAL_ERROR | \`/readyz\`: a dependency is unreachable |
`

/** `{ anyOf: [X] }` (a union of one, e.g. an enum of one literal) as `X` itself. */
const collapseSingleAnyOf = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(collapseSingleAnyOf)
  if (value === null || typeof value !== "object") return value
  const entries = Object.entries(value).map(([key, inner]) => [key, collapseSingleAnyOf(inner)] as const)
  const object: Json = Object.fromEntries(entries)
  if (Array.isArray(object.anyOf) && object.anyOf.length === 1) {
    const { anyOf, ...rest } = object
    return { ...anyOf[0], ...rest }
  }
  return object
}

const describeOperation = (operation: Json): Json => {
  const responses: Json = {}
  for (const [status, response] of Object.entries(operation.responses as Json)) {
    if (operation.requestBody === undefined && bodyOnlyStatuses.includes(status)) continue
    responses[status] = {
      ...response,
      headers: {
        ...response.headers,
        "x-request-id": ref("RequestId"),
        ...(status === "401" ? { "WWW-Authenticate": ref("WwwAuthenticate") } : {})
      }
    }
  }
  return { ...operation, responses }
}

/**
 * API `OpenApi.Transform`: every response documents `x-request-id` (and a 401
 * `WWW-Authenticate`), 413/415 only where a body is read, and the info text
 * lists the errors no single operation owns (unknown routes, wrong methods).
 */
export const describeApi = (spec: Json): Json => {
  const paths: Json = {}
  for (const [path, item] of Object.entries(spec.paths as Json)) {
    paths[path] = Object.fromEntries(
      Object.entries(item as Json).map(([key, value]) => [key, methods.includes(key) ? describeOperation(value) : value])
    )
  }
  return collapseSingleAnyOf({
    ...spec,
    info: { ...spec.info, description: (spec.info.description ?? "") + errorsDescription },
    paths,
    components: { ...spec.components, headers: { ...spec.components.headers, ...headers } }
  }) as Json
}
