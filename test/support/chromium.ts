/**
 * Headless Chromium for the browser tests: Debian's /usr/bin/chromium through
 * playwright-core (no browser download), with the flags that keep it from
 * reaching for the network on its own, and the loopback test every suite uses
 * to block and record requests that would leave the machine.
 */
import { type Browser, chromium } from "playwright-core"

export const chromiumPath = "/usr/bin/chromium"

const flags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync"
]

/** Launches headless Chromium (60 s bound on the launch). */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({ executablePath: chromiumPath, args: flags, headless: true, timeout: 60_000 })

const loopbackHosts = new Set(["127.0.0.1", "localhost", "[::1]"])

/** True for URLs that stay on this machine: http(s) to loopback, and data:, blob:, about:blank. */
export const isLoopback = (url: string): boolean => {
  if (url.startsWith("data:") || url.startsWith("blob:") || url === "about:blank") return true
  const parsed = new URL(url)
  return (parsed.protocol === "http:" || parsed.protocol === "https:") &&
    (loopbackHosts.has(parsed.hostname) || parsed.hostname.startsWith("127."))
}
