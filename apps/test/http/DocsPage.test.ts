/**
 * `/docs` in a real browser (Debian's Chromium through playwright-core) with
 * every request off the loopback interface blocked and recorded: one API
 * reference renders, its operations are visible, nothing is fetched from
 * outside, and its try-it request succeeds.
 */
import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import type { Browser, Page } from "playwright-core"
import { isLoopback, launchChromium } from "../../../test/support/chromium.ts"
import { call, layerTestServer, TestServer } from "./support.ts"

const withBrowser = <A, E, R>(use: (browser: Browser) => Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.promise(launchChromium),
    use,
    (browser) => Effect.promise(() => browser.close())
  )

interface Visit {
  readonly page: Page
  /** Every request the page tried to send off the loopback interface (all were aborted). */
  readonly external: Array<string>
  readonly consoleErrors: Array<string>
}

const visit = (browser: Browser, url: string, headers: Record<string, string> = {}) =>
  Effect.promise(async (): Promise<Visit> => {
    const context = await browser.newContext({ serviceWorkers: "block", extraHTTPHeaders: headers })
    const external: Array<string> = []
    const consoleErrors: Array<string> = []
    await context.route("**/*", (route) => {
      const requested = route.request().url()
      if (isLoopback(requested)) return route.continue()
      external.push(requested)
      return route.abort("blockedbyclient")
    })
    // WebSockets bypass `route`; record them too.
    await context.routeWebSocket(/.*/, (socket) => {
      if (isLoopback(socket.url().replace(/^ws/, "http"))) return void socket.connectToServer()
      external.push(socket.url())
      return socket.close()
    })
    const page = await context.newPage()
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text())
    })
    await page.goto(url, { waitUntil: "load" })
    return { page, external, consoleErrors }
  })

describe("docs page in Chromium", () => {
  layer(layerTestServer())((it) => {
    it.effect("renders exactly one API reference with its operations, fetching nothing from outside", () =>
      withBrowser((browser) =>
        Effect.gen(function*() {
          const { url } = yield* TestServer
          const { page, external, consoleErrors } = yield* visit(browser, `${url}/docs`)
          yield* Effect.promise(() =>
            page.getByText("Get a pre-signed upload target and create the file record").first().waitFor({ state: "visible" })
          )
          const summaries = [
            "Get a pre-signed upload target and create the file record",
            "Files of an entity, by key prefix",
            "One file, with signed download URLs once ready",
            "Remove a file and every stored object of it",
            "The process is alive",
            "Dependencies are reachable"
          ]
          // Let late requests (fonts, telemetry, icons) happen before counting them.
          yield* Effect.promise(() => page.waitForLoadState("networkidle"))
          const rendered = yield* Effect.promise(() =>
            page.evaluate(() => ({
              references: document.querySelectorAll(".scalar-api-reference").length,
              skeletons: document.querySelectorAll("[class*=skeleton]").length
            }))
          )
          assert.deepStrictEqual(rendered, { references: 1, skeletons: 0 })
          assert.deepStrictEqual(external, [])
          assert.deepStrictEqual(consoleErrors, [])
          for (const summary of summaries) {
            const visible = yield* Effect.promise(() => page.getByText(summary).first().isVisible())
            assert.isTrue(visible, summary)
          }
        })
      ), 120_000)

    it.effect("the try-it client sends the documented example to this server, and it succeeds", () =>
      withBrowser((browser) =>
        Effect.gen(function*() {
          const { url } = yield* TestServer
          const example = (yield* call("/openapi.json")).json.components.schemas.UploadUrlRequest.examples[0]
          // Credentials come from the browser context: this tests the document and the client, not typing into Scalar's auth form.
          const { page, external } = yield* visit(browser, `${url}/docs`, { authorization: "Bearer writerA" })
          const response = yield* Effect.promise(async () => {
            // The operation's section renders once it is navigated to.
            await page.getByText("Get a pre-signed upload target and create the file record").first().click()
            await page.getByRole("button", { name: /Test Request[\s\S]*post \/v1\/media\/upload-url/ }).first().click()
            const sent = page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes("/v1/media/upload-url"))
            // The address the client shows is the one it sends to: this origin, one slash before /v1.
            const shown = await page.locator("body").innerText()
            await page.getByRole("button", { name: /^Send/ }).first().click()
            const reply = await sent
            return { url: reply.url(), status: reply.status(), body: reply.request().postDataJSON(), json: await reply.json(), shown }
          })
          assert.notInclude(response.shown, "//v1/", "the try-it address has no double slash")
          assert.strictEqual(response.url, `${url}/v1/media/upload-url`)
          assert.deepStrictEqual(response.body, example)
          assert.strictEqual(response.status, 200, JSON.stringify(response.json))
          assert.strictEqual(response.json.status, "uploading")
          assert.deepStrictEqual(external, [])
        })
      ), 120_000)
  })
})
