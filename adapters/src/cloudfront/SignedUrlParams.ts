/**
 * Splits a CloudFront signed URL into the signing parameters and the URL they
 * sign, exactly as the signer joined them (`<url>?<params>` or `<url>&<params>`).
 */
import { Option } from "effect"

export const signingParams = ["Expires", "Policy", "Signature", "Key-Pair-Id", "Hash-Algorithm"] as const
export type SigningParam = typeof signingParams[number]

export interface SplitSignedUrl {
  readonly url: URL
  /** The URL without the signing parameters: what the policy's Resource names. */
  readonly resource: string
  readonly params: Partial<Record<SigningParam, string>>
}

const isSigningParam = (name: string): name is SigningParam => (signingParams as ReadonlyArray<string>).includes(name)
const parseUrl = Option.liftThrowable((s: string) => new URL(s))
const decode = Option.liftThrowable(decodeURIComponent)

/** Longer than any URL we sign; bounds the work done on hostile input. */
export const maxSignedUrlLength = 16 * 1024

/** Fails with a reason string when the URL is not a well-formed signed URL (duplicated or unparsable parameters). */
export const splitSignedUrl = (input: URL | string): SplitSignedUrl | string => {
  const href = typeof input === "string" ? input : input.href
  if (href.length > maxSignedUrlLength) return "URL too long"
  const url = parseUrl(href)
  if (Option.isNone(url)) return "not a URL"
  const kept: Array<string> = []
  const params: Partial<Record<SigningParam, string>> = {}
  for (const pair of url.value.search.slice(1).split("&")) {
    if (pair === "") continue
    const eq = pair.indexOf("=")
    const name = decode(eq === -1 ? pair : pair.slice(0, eq))
    if (Option.isNone(name)) return "undecodable query parameter"
    if (!isSigningParam(name.value)) {
      kept.push(pair)
      continue
    }
    const value = decode(eq === -1 ? "" : pair.slice(eq + 1))
    if (Option.isNone(value)) return `undecodable ${name.value}`
    if (params[name.value] !== undefined) return `duplicated ${name.value}`
    params[name.value] = value.value
  }
  const base = url.value.origin + url.value.pathname
  return { url: url.value, resource: kept.length === 0 ? base : `${base}?${kept.join("&")}`, params }
}

/** Bytes as CloudFront's URL-safe base64 (`+`->`-`, `=`->`_`, `/`->`~`). */
const cloudFrontCharacter = (c: string) => c === "+" ? "-" : c === "=" ? "_" : "~"

export const encodeCloudFrontBase64 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64").replace(/[+=/]/g, cloudFrontCharacter)

/** CloudFront's URL-safe base64 (`+`->`-`, `=`->`_`, `/`->`~`) back to bytes; none for any other character. */
export const decodeCloudFrontBase64 = (value: string): Option.Option<Buffer> => {
  if (!/^[A-Za-z0-9~-]+_{0,2}$/.test(value)) return Option.none()
  return Option.some(Buffer.from(value.replace(/-/g, "+").replace(/_/g, "=").replace(/~/g, "/"), "base64"))
}
