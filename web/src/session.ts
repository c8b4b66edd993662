/**
 * The signed-in session: the API base URL and the `Authorization` header,
 * kept in sessionStorage (gone when the tab closes; never localStorage).
 */
export interface Session {
  readonly apiBaseUrl: string
  readonly authorization: string
  /** Who is signed in, for the header: the API id, or "token". */
  readonly label: string
}

const storageKey = "media-web.session"

export const loadSession = (): Session | undefined => {
  try {
    const raw = sessionStorage.getItem(storageKey)
    if (raw === null) return undefined
    const value: unknown = JSON.parse(raw)
    if (typeof value !== "object" || value === null) return undefined
    const { apiBaseUrl, authorization, label } = value as Record<string, unknown>
    return typeof apiBaseUrl === "string" && typeof authorization === "string" && typeof label === "string"
      ? { apiBaseUrl, authorization, label }
      : undefined
  } catch {
    return undefined
  }
}

export const saveSession = (session: Session): void => sessionStorage.setItem(storageKey, JSON.stringify(session))

export const clearSession = (): void => sessionStorage.removeItem(storageKey)

/** `Basic base64(id:password)`, with the UTF-8 bytes of both (btoa alone takes Latin-1 only). */
export const basicAuthorization = (apiId: string, password: string): string => {
  const bytes = new TextEncoder().encode(`${apiId}:${password}`)
  let binary = ""
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return `Basic ${btoa(binary)}`
}
