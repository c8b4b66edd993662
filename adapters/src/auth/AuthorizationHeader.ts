/**
 * Parses an `Authorization` header into the credentials it presents
 * (RFC 7617 Basic, RFC 6750 Bearer). Anything unusual is no credentials.
 */
import { Option, Redacted } from "effect"

export type PresentedCredentials =
  | { readonly _tag: "Basic"; readonly apiId: string; readonly password: Redacted.Redacted<string> }
  | { readonly _tag: "Bearer"; readonly token: Redacted.Redacted<string> }

/** Far above any real credential or JWT, low enough that hashing or decoding it is cheap. */
export const maxAuthorizationLength = 8 * 1024

/** RFC 7235 token68: the only shape a Bearer token (and so a configured `token`) can have. */
export const token68 = /^[A-Za-z0-9\-._~+/]+=*$/

const strictBase64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const utf8 = new TextDecoder("utf-8", { fatal: true })
const decodeUtf8 = Option.liftThrowable((bytes: Uint8Array) => utf8.decode(bytes))

const parseBasic = (encoded: string): Option.Option<PresentedCredentials> => {
  if (!strictBase64.test(encoded)) return Option.none()
  return decodeUtf8(Buffer.from(encoded, "base64")).pipe(
    Option.flatMap((pair) => {
      const colon = pair.indexOf(":")
      if (colon <= 0 || colon === pair.length - 1) return Option.none()
      return Option.some<PresentedCredentials>({
        _tag: "Basic",
        apiId: pair.slice(0, colon),
        password: Redacted.make(pair.slice(colon + 1))
      })
    })
  )
}

/** Scheme case-insensitive; exactly one space; only visible ASCII in the credentials. */
export const parseAuthorization = (header: string | undefined): Option.Option<PresentedCredentials> => {
  if (header === undefined || header.length > maxAuthorizationLength) return Option.none()
  const match = /^([A-Za-z]+) ([!-~]+)$/.exec(header)
  if (match === null) return Option.none()
  const scheme = match[1]!.toLowerCase()
  const credentials = match[2]!
  if (scheme === "basic") return parseBasic(credentials)
  if (scheme === "bearer" && token68.test(credentials)) {
    return Option.some({ _tag: "Bearer", token: Redacted.make(credentials) })
  }
  return Option.none()
}

const jwtShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

/** Three base64url parts: worth handing to the JWT verifier. */
export const looksLikeJwt = (token: string): boolean => jwtShape.test(token)
