/**
 * Request targets must be valid percent-encoded UTF-8 (SPEC §7: ids and keys
 * must be valid UTF-8). Decoders downstream are lenient: a query's `%FF`
 * becomes U+FFFD and is accepted, a path's stops matching any route.
 */

/**
 * The first part of the request target that is not valid percent-encoded
 * UTF-8, if any. Decoders downstream would turn `%FF` into U+FFFD and accept
 * it, so the raw target is checked first.
 */
export const malformedPart = (url: string): string | undefined => {
  const query = url.indexOf("?")
  const path = query === -1 ? url : url.slice(0, query)
  for (const segment of path.split("/")) {
    if (!isDecodable(segment)) return "path"
  }
  if (query === -1) return undefined
  for (const pair of url.slice(query + 1).split("&")) {
    const equals = pair.indexOf("=")
    const name = equals === -1 ? pair : pair.slice(0, equals)
    if (!isDecodable(name)) return "query"
    if (equals !== -1 && !isDecodable(pair.slice(equals + 1))) return `query parameter ${decode(name)}`
  }
  return undefined
}

const decode = (component: string): string => decodeURIComponent(component.replace(/\+/g, " "))

const isDecodable = (component: string): boolean => {
  if (!component.includes("%")) return true
  try {
    decode(component)
    return true
  } catch {
    // URIError: a malformed escape or bytes that are not UTF-8.
    return false
  }
}

