/**
 * API Gateway HTTP API (payload format 2.0) and Lambda Function URL events, which share one shape,
 * to a web `Request` and back: a web `Response` to the 2.0 result (cookies apart, other repeated
 * headers comma-joined, binary bodies base64).
 */

/** The fields of a payload 2.0 event the conversion reads. */
export interface HttpApiEvent {
  readonly version?: string
  readonly rawPath: string
  readonly rawQueryString?: string
  readonly headers?: Readonly<Record<string, string | undefined>>
  readonly cookies?: ReadonlyArray<string>
  readonly body?: string
  readonly isBase64Encoded?: boolean
  readonly requestContext: {
    readonly domainName?: string
    readonly http: { readonly method: string }
  }
}

/** The payload 2.0 result. */
export interface HttpApiResult {
  readonly statusCode: number
  readonly headers: Record<string, string>
  readonly cookies?: Array<string>
  readonly body: string
  readonly isBase64Encoded: boolean
}

/** Whether `value` is a payload 2.0 event (API Gateway HTTP API or Function URL). */
export const isHttpApiEvent = (value: unknown): value is HttpApiEvent => {
  if (typeof value !== "object" || value === null) return false
  const event = value as Partial<HttpApiEvent>
  return typeof event.rawPath === "string" && typeof event.requestContext?.http?.method === "string"
}

/** The web request of an event; the origin is the event's domain (or `localhost`). */
export const toRequest = (event: HttpApiEvent): Request => {
  const headers = new Headers()
  for (const [name, value] of Object.entries(event.headers ?? {})) if (value !== undefined) headers.set(name, value)
  // Payload 2.0 moves cookies out of the headers.
  if (event.cookies !== undefined && event.cookies.length > 0) headers.set("cookie", event.cookies.join("; "))
  const host = event.requestContext.domainName ?? headers.get("host") ?? "localhost"
  const query = event.rawQueryString === undefined || event.rawQueryString === "" ? "" : `?${event.rawQueryString}`
  const method = event.requestContext.http.method.toUpperCase()
  const hasBody = event.body !== undefined && method !== "GET" && method !== "HEAD"
  return new Request(`https://${host}${event.rawPath}${query}`, {
    method,
    headers,
    ...(hasBody ? { body: event.isBase64Encoded ? Buffer.from(event.body ?? "", "base64") : event.body } : {})
  })
}

const textual = /^(text\/|application\/(json|.*\+json|javascript|xml|.*\+xml|x-www-form-urlencoded)|image\/svg\+xml)/i

/** The 2.0 result of a web response: text bodies as UTF-8, anything else (or encoded) as base64. */
export const toResult = async (response: Response): Promise<HttpApiResult> => {
  const headers: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value
  })
  const cookies = response.headers.getSetCookie()
  const bytes = Buffer.from(await response.arrayBuffer())
  const contentType = response.headers.get("content-type") ?? ""
  const binary = bytes.length > 0 && (response.headers.has("content-encoding") || !textual.test(contentType))
  return {
    statusCode: response.status,
    headers,
    ...(cookies.length > 0 ? { cookies } : {}),
    body: binary ? bytes.toString("base64") : bytes.toString("utf8"),
    isBase64Encoded: binary
  }
}
