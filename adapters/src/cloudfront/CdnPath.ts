/**
 * Object key <-> URL path, shared by the signer and the verifier so they agree
 * on every character. Each key segment is percent-encoded on its own, which is
 * also what the CloudFront signer SDK and WHATWG URL parsing leave untouched.
 */
import { Option } from "effect"

/** "." and ".." are rewritten by every URL parser (even as %2e), so such keys cannot be signed faithfully. */
const isDotSegment = (segment: string) => segment === "." || segment === ".."

/** The URL path of `key` (no leading slash); none for a key a URL cannot carry exactly. */
export const encodeKey = (key: string): Option.Option<string> => {
  if (key.length === 0 || !key.isWellFormed()) return Option.none()
  const segments = key.split("/")
  if (segments.some(isDotSegment)) return Option.none()
  return Option.some(segments.map(encodeURIComponent).join("/"))
}

/** The key of an encoded path (no leading slash); none when it is not one `encodeKey` could produce. */
export const decodeKey = (path: string): Option.Option<string> => {
  if (path.length === 0) return Option.none()
  const segments: Array<string> = []
  for (const raw of path.split("/")) {
    const decoded = Option.liftThrowable(decodeURIComponent)(raw)
    if (Option.isNone(decoded) || decoded.value.includes("/") || isDotSegment(decoded.value)) return Option.none()
    segments.push(decoded.value)
  }
  return Option.some(segments.join("/"))
}

/** `https://cdn.example.com/prefix/` -> `https://cdn.example.com/prefix`; none unless an http(s) URL without query or fragment. */
export const normalizeBaseUrl = (baseUrl: string): Option.Option<string> => {
  const url = Option.liftThrowable((s: string) => new URL(s))(baseUrl)
  if (Option.isNone(url)) return Option.none()
  const { protocol, search, hash, origin, pathname, username, password } = url.value
  if ((protocol !== "http:" && protocol !== "https:") || search !== "" || hash !== "" || username !== "" || password !== "") {
    return Option.none()
  }
  return Option.some(origin + pathname.replace(/\/+$/, ""))
}
