/**
 * Headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core,
 * with every request outside the loopback range blocked and recorded, so a
 * test can assert the web app fetches nothing from anywhere else.
 */
import type { Browser, BrowserContext, Page } from "playwright-core"
import { isLoopback } from "../../support/chromium.ts"

export { chromiumPath, isLoopback, launchChromium } from "../../support/chromium.ts"

export interface GuardedPage {
  readonly context: BrowserContext
  readonly page: Page
  /** Every non-loopback URL the page tried to load (each was aborted). */
  readonly blocked: Array<string>
  /** Messages of uncaught page errors (a test asserts there are none). */
  readonly pageErrors: Array<string>
}

export const phoneViewport = { width: 375, height: 667 } as const
export const desktopViewport = { width: 1280, height: 860 } as const

/** A fresh context (own sessionStorage) and page; requests leaving the machine are aborted and recorded. */
export const guardedPage = async (
  browser: Browser,
  options: { readonly phone?: boolean } = {}
): Promise<GuardedPage> => {
  const context = await browser.newContext(
    options.phone === true
      ? { viewport: phoneViewport, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
      : { viewport: desktopViewport }
  )
  context.setDefaultTimeout(30_000)
  const blocked: Array<string> = []
  await context.route("**/*", (route) => {
    const url = route.request().url()
    if (isLoopback(url)) return route.fallback()
    blocked.push(url)
    return route.abort("blockedbyclient")
  })
  const page = await context.newPage()
  const pageErrors: Array<string> = []
  page.on("pageerror", (error) => pageErrors.push(error.message))
  return { context, page, blocked, pageErrors }
}

/** Signs in through the form with an API id and password, and waits for the gallery. */
export const signIn = async (page: Page, appUrl: string, apiId: string, password: string): Promise<void> => {
  await page.goto(appUrl)
  await page.getByLabel("API id", { exact: true }).fill(apiId)
  await page.getByLabel("Password", { exact: true }).fill(password)
  await page.getByRole("button", { name: "Sign in" }).click()
  await page.getByRole("search", { name: "Search photos" }).waitFor()
}

/** Page width fits the viewport: nothing scrolls sideways. */
export const horizontalOverflow = (page: Page): Promise<number> =>
  page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
