/** The deployment's settings, from `config.json` next to index.html (see docs/web-app.md). */
export interface AppConfig {
  /** The API's base URL; "" means the app's own origin (the embedded server's `/app`). */
  readonly apiBaseUrl: string
}

export const loadConfig = async (): Promise<AppConfig> => {
  try {
    const response = await fetch(new URL("config.json", document.baseURI), { cache: "no-cache" })
    if (!response.ok) return { apiBaseUrl: "" }
    const json: unknown = await response.json()
    const apiBaseUrl = typeof json === "object" && json !== null && "apiBaseUrl" in json && typeof json.apiBaseUrl === "string"
      ? json.apiBaseUrl
      : ""
    return { apiBaseUrl: apiBaseUrl.replace(/\/+$/, "") }
  } catch {
    return { apiBaseUrl: "" }
  }
}
