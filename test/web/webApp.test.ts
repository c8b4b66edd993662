/**
 * The web app at /app against the real embedded server (in process, over
 * HTTP) in headless Chromium: sign in, upload with visible progress, the
 * gallery, the lightbox, delete, HEIC refused up front, a phone viewport.
 * Every test blocks and asserts zero requests leaving the machine.
 */
import { assert, layer } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import type { Browser, Page, Route } from "playwright-core"
import { auth, E2eServer, layerEmbedded } from "../support/servers.ts"
import { guardedPage, horizontalOverflow, launchChromium, signIn } from "./support/browser.ts"
import { samplePhoto } from "./support/photos.ts"
import { getFile, postUpload, requestUpload, settled } from "./support/seed.ts"

class Chromium extends Context.Service<Chromium, Browser>()("test/web/Chromium") {}

const ChromiumLayer = Layer.effect(
  Chromium,
  Effect.acquireRelease(Effect.promise(launchChromium), (browser) => Effect.promise(() => browser.close()))
)

const apiId = "10020-140"
const password = "pw-a-0123456789"
const heicAdvice = "convert HEIC/HEIF photos to JPEG on the device before uploading"

/** Polls a condition of the test process (not the page) until it holds, at most `ms`. */
const until = async (condition: () => boolean, ms: number, what: string) => {
  const deadline = performance.now() + ms
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Runs `body` with a fresh guarded page; afterwards asserts no request left the machine and no page error. */
const withPage = (body: (page: Page, server: E2eServer["Service"]) => Promise<void>, options: { phone?: boolean } = {}) =>
  Effect.gen(function*() {
    const browser = yield* Chromium
    const server = yield* E2eServer
    yield* Effect.promise(async () => {
      const guarded = await guardedPage(browser, options)
      try {
        await body(guarded.page, server)
        assert.deepStrictEqual(guarded.blocked, [], "requests outside the loopback range")
        assert.deepStrictEqual(guarded.pageErrors, [], "uncaught errors in the page")
      } finally {
        await guarded.context.close()
      }
    })
  })

const cards = (page: Page) => page.locator("li.card")
/** Uppy's hidden file picker (the folder picker beside it has `webkitdirectory`). */
/** The uploader's own alert (Uppy's informer repeats some messages). */
const uploadAlert = (page: Page) => page.locator(".uploader p.error[role=alert]")
const fileInput = (page: Page) => page.locator("input.uppy-Dashboard-input[name='files[]']:not([webkitdirectory])")

layer(Layer.mergeAll(layerEmbedded, ChromiumLayer), { timeout: 180_000, excludeTestServices: true })("web app", (it) => {
  it.effect("/app serves the built app with content types and cache headers", () =>
    Effect.gen(function*() {
      const { url } = yield* E2eServer
      yield* Effect.promise(async () => {
        const bare = await fetch(`${url}/app?q=1`, { redirect: "manual" })
        assert.strictEqual(bare.status, 301)
        assert.strictEqual(bare.headers.get("location"), "/app/?q=1")

        const index = await fetch(`${url}/app/`)
        assert.strictEqual(index.status, 200)
        assert.strictEqual(index.headers.get("content-type"), "text/html; charset=utf-8")
        assert.strictEqual(index.headers.get("cache-control"), "no-cache")
        assert.include(index.headers.get("content-security-policy") ?? "", "default-src 'self'")
        const html = await index.text()
        const script = /<script type="module" src="\.\/([^"]+)"/.exec(html)?.[1]
        const style = /<link rel="stylesheet" href="\.\/([^"]+)"/.exec(html)?.[1]
        assert.match(script ?? "", /^app-[A-Z0-9]{8}\.js$/)
        assert.match(style ?? "", /^app-[A-Z0-9]{8}\.css$/)
        assert.notInclude(html, "http", "the page loads nothing by absolute URL")

        const js = await fetch(`${url}/app/${script}`)
        assert.strictEqual(js.headers.get("content-type"), "text/javascript; charset=utf-8")
        assert.strictEqual(js.headers.get("cache-control"), "public, max-age=31536000, immutable")
        const css = await fetch(`${url}/app/${style}`)
        assert.strictEqual(css.headers.get("content-type"), "text/css; charset=utf-8")
        assert.include(await css.text(), ".uppy-Dashboard", "Uppy's stylesheet is bundled")

        const config = await fetch(`${url}/app/config.json`)
        assert.strictEqual(config.headers.get("content-type"), "application/json")
        assert.deepStrictEqual(await config.json(), { apiBaseUrl: "" })

        const etag = index.headers.get("etag") ?? ""
        assert.notStrictEqual(etag, "")
        const again = await fetch(`${url}/app/`, { headers: { "if-none-match": etag } })
        assert.strictEqual(again.status, 304)
        assert.strictEqual((await fetch(`${url}/app/nothing-here.js`)).status, 404)
        assert.strictEqual((await fetch(`${url}/app/`, { method: "POST" })).status, 405)
      })
    }))

  it.effect("sign in, upload two photos with progress, see them ready, lightbox, delete one, sign out", () =>
    withPage(async (page, server) => {
      await page.goto(`${server.url}/app/`)
      await page.getByLabel("API id", { exact: true }).fill(apiId)
      await page.getByLabel("Password", { exact: true }).fill("wrong-password")
      await page.getByRole("button", { name: "Sign in" }).click()
      await page.getByRole("alert").filter({ hasText: "Sign-in failed" }).waitFor()
      await page.getByLabel("Password", { exact: true }).fill(password)
      await page.getByRole("button", { name: "Sign in" }).click()
      await page.getByRole("search", { name: "Search photos" }).waitFor()
      const storage = await page.evaluate(() => ({
        session: sessionStorage.getItem("media-web.session") ?? "",
        local: localStorage.length
      }))
      assert.include(storage.session, "Basic ", "the credential is kept in sessionStorage")
      assert.strictEqual(storage.local, 0, "nothing in localStorage")

      await page.getByRole("link", { name: "Upload" }).click()
      await page.getByLabel("Shipment", { exact: true }).fill("WEB1")
      await page.getByLabel("SKU", { exact: true }).fill("SKU-001")
      await page.getByLabel("Reason code", { exact: true }).fill("DAMAGED")
      await page.getByLabel("Discrepancy id", { exact: true }).fill("D-1")

      // Hold the uploads at storage until the progress UI has been seen, then let them through.
      const held: Array<Route> = []
      let release = () => {}
      const released = new Promise<void>((resolve) => { release = resolve })
      await page.route((target) => target.pathname.startsWith("/storage/"), async (route) => {
        held.push(route)
        await released
        await route.fallback()
      })
      await fileInput(page).setInputFiles([
        { name: "box-1.jpg", mimeType: "image/jpeg", buffer: await samplePhoto(1) },
        { name: "box-2.jpg", mimeType: "image/jpeg", buffer: await samplePhoto(2) }
      ])
      await page.locator(".uppy-Dashboard-Item").nth(1).waitFor()
      await page.locator(".uppy-StatusBar-actionBtn--upload").click()
      await until(() => held.length === 2, 30_000, "two uploads to reach storage")
      await page.locator(".uppy-StatusBar.is-uploading [role=progressbar]").waitFor({ state: "attached" })
      assert.strictEqual(await page.locator(".uppy-Dashboard-Item.is-inprogress").count(), 2, "per-file progress")
      release()
      await page.locator(".uppy-StatusBar.is-complete").waitFor({ state: "attached" })
      assert.strictEqual(await page.locator(".uppy-Dashboard-Item.is-complete").count(), 2)
      await page.getByText("2 photos uploaded to WEB1|SKU-001|DAMAGED|D-1").waitFor()
      await page.getByRole("button", { name: "Show them in the gallery" }).click()

      // Ready in the gallery (processing may still be running: the cards refresh until final).
      await page.locator("li.card[data-status='ready']").nth(1).waitFor({ timeout: 60_000 })
      assert.strictEqual(await cards(page).count(), 2)
      await page.getByRole("heading", { name: "SKU SKU-001 · DAMAGED" }).waitFor()
      await page.waitForFunction(() => {
        const images = Array.from(document.querySelectorAll<HTMLImageElement>("li.card img"))
        return images.length === 2 && images.every((image) => image.complete && image.naturalWidth === 256)
      })

      // Lightbox: full image, arrows move, Esc closes, focus returns to the thumbnail.
      const firstThumb = page.locator("li.card button.thumb").first()
      await firstThumb.click()
      const lightbox = page.getByRole("dialog")
      await lightbox.getByRole("heading", { name: "Photo 1 of 2" }).waitFor()
      await page.waitForFunction(() => {
        const image = document.querySelector<HTMLImageElement>("dialog.lightbox img.full")
        return image !== null && image.complete && image.naturalWidth === 640
      })
      assert.isTrue(await page.evaluate(() => document.activeElement?.closest("dialog.lightbox") !== null), "focus is in the lightbox")
      await page.keyboard.press("ArrowRight")
      await lightbox.getByRole("heading", { name: "Photo 2 of 2" }).waitFor()
      await page.keyboard.press("ArrowLeft")
      await lightbox.getByRole("heading", { name: "Photo 1 of 2" }).waitFor()
      await page.keyboard.press("Escape")
      await page.locator("dialog.lightbox").waitFor({ state: "detached" })
      assert.isTrue(await firstThumb.evaluate((button) => button === document.activeElement), "focus is back on the thumbnail")

      // Delete with confirmation: Cancel keeps the photo, Delete removes it for good.
      const firstCard = cards(page).first()
      const deletedId = await firstCard.getAttribute("data-file-id") ?? ""
      const keptId = await cards(page).nth(1).getAttribute("data-file-id") ?? ""
      await firstCard.getByRole("button", { name: /^Delete photo/ }).click()
      const confirm = page.getByRole("alertdialog", { name: "Delete this photo?" })
      await confirm.waitFor()
      assert.isTrue(await confirm.getByRole("button", { name: "Cancel" }).evaluate((button) => button === document.activeElement))
      await confirm.getByRole("button", { name: "Cancel" }).click()
      await confirm.waitFor({ state: "detached" })
      assert.strictEqual(await cards(page).count(), 2)
      await firstCard.getByRole("button", { name: /^Delete photo/ }).click()
      await confirm.getByRole("button", { name: "Delete photo" }).click()
      await page.locator(`li.card[data-file-id='${deletedId}']`).waitFor({ state: "detached" })
      assert.strictEqual(await cards(page).count(), 1)
      assert.strictEqual((await getFile(server.url, deletedId)).status, 404)
      assert.strictEqual((await getFile(server.url, keptId)).status, 200)

      await page.getByRole("button", { name: "Sign out" }).click()
      await page.getByRole("button", { name: "Sign in" }).waitFor()
      assert.isNull(await page.evaluate(() => sessionStorage.getItem("media-web.session")))
    }))

  it.effect("a failed upload is retried with the same upload target: one record, and it turns ready", () =>
    withPage(async (page, server) => {
      await signIn(page, `${server.url}/app/`, apiId, password)
      await page.getByRole("link", { name: "Upload" }).click()
      // Pasting a whole key into one field fills all four.
      await page.getByLabel("Shipment", { exact: true }).evaluate((field) => {
        const data = new DataTransfer()
        data.setData("text", "RETRY1|SKU-7|DAMAGED|D-1")
        field.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }))
      })
      assert.strictEqual(await page.getByLabel("Discrepancy id", { exact: true }).inputValue(), "D-1")
      // The first POST to storage is refused as S3 would refuse it; later ones go through.
      let refused = 0
      await page.route((target) => target.pathname.startsWith("/storage/"), async (route) => {
        if (refused > 0) return route.fallback()
        refused++
        await route.fulfill({
          status: 403,
          contentType: "application/xml",
          body: "<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>Policy check failed</Message></Error>"
        })
      })
      await fileInput(page).setInputFiles({ name: "box.jpg", mimeType: "image/jpeg", buffer: await samplePhoto(2) })
      await page.locator(".uppy-StatusBar-actionBtn--upload").click()
      await page.locator(".uppy-Dashboard-Item.is-error").waitFor()
      await page.locator(".uppy-StatusBar-actionBtn--retry").click()
      await page.locator(".uppy-Dashboard-Item.is-complete").waitFor()
      assert.strictEqual(refused, 1)

      const response = await fetch(`${server.url}/v1/media/search?entity_type=shipment_item&entity_id=RETRY1`, {
        headers: { authorization: auth.writerA }
      })
      const { files } = await response.json() as { files: ReadonlyArray<{ file_id: string; entity_id: string }> }
      assert.strictEqual(files.length, 1, "the retry reused the first upload target")
      assert.strictEqual(files[0]?.entity_id, "RETRY1|SKU-7|DAMAGED|D-1")
      assert.strictEqual((await settled(server.url, files[0]?.file_id ?? "")).status, "ready")
    }))

  it.effect("a credential refused while signed in leads back to the sign-in form, saying why", () =>
    withPage(async (page, server) => {
      await signIn(page, `${server.url}/app/`, apiId, password)
      await page.route((target) => target.pathname === "/v1/media/search", (route) =>
        route.fulfill({
          status: 401,
          contentType: "application/json",
          body: JSON.stringify({ error_code: "ACCESS_DENIED", error_data: { message: "access denied" }, request_id: "r" })
        }))
      await page.getByLabel("Shipment, SKU or discrepancy", { exact: true }).fill("WEB1")
      await page.getByRole("button", { name: "Search" }).click()
      await page.getByRole("alert").filter({ hasText: "You were signed out: the credential is no longer accepted." }).waitFor()
      await page.getByRole("button", { name: "Sign in" }).waitFor()
      assert.isNull(await page.evaluate(() => sessionStorage.getItem("media-web.session")))
    }))

  it.effect("a HEIC/HEIF photo is refused before any request, with the advice to convert it", () =>
    withPage(async (page, server) => {
      await signIn(page, `${server.url}/app/`, apiId, password)
      await page.getByRole("link", { name: "Upload" }).click()
      const sent: Array<string> = []
      page.on("request", (request) => {
        const path = new URL(request.url()).pathname
        if (path === "/v1/media/upload-url" || path.startsWith("/storage/")) sent.push(path)
      })
      const input = fileInput(page)
      await input.waitFor({ state: "attached" })
      // Phones get the camera (rear-facing) besides the file picker.
      assert.strictEqual(await page.locator("input[type=file][capture='environment'][accept='image/*']").count(), 1)
      await input.setInputFiles({ name: "IMG_0001.HEIC", mimeType: "image/heic", buffer: Buffer.from("\0\0\0\x18ftypheic\0\0\0\0mif1heic") })
      await uploadAlert(page).filter({ hasText: "IMG_0001.HEIC is a HEIC/HEIF photo" }).filter({ hasText: heicAdvice }).waitFor()
      // Without a declared type, the extension decides.
      await input.setInputFiles({ name: "scan.heif", mimeType: "", buffer: Buffer.from("\0\0\0\x18ftypheif") })
      await uploadAlert(page).filter({ hasText: "scan.heif is a HEIC/HEIF photo" }).waitFor()
      assert.strictEqual(await page.locator(".uppy-Dashboard-Item").count(), 0, "nothing was added")
      // Said once, in the form's alert: no toast repeating it over the accepted-types hint.
      assert.strictEqual(await page.locator(".uppy-Informer").filter({ hasText: "HEIC/HEIF photo" }).count(), 0)

      // A JPEG is accepted, but nothing is sent before the discrepancy is complete.
      await input.setInputFiles({ name: "box.jpg", mimeType: "image/jpeg", buffer: await samplePhoto(3) })
      await page.locator(".uppy-Dashboard-Item").waitFor()
      await page.locator(".uppy-StatusBar-actionBtn--upload").click()
      await uploadAlert(page).filter({ hasText: "Enter the discrepancy first: The shipment is empty." }).waitFor()
      assert.isTrue(await page.getByLabel("Shipment", { exact: true }).evaluate((field) => field === document.activeElement))
      assert.deepStrictEqual(sent, [], "no upload-url or storage request")

      // A whole key typed (not pasted) into the first field moves on at each "|".
      await page.getByLabel("Shipment", { exact: true }).pressSequentially("TYPED1|SKU-9|DAMAGED|D-9")
      assert.deepStrictEqual(
        await Promise.all(["Shipment", "SKU", "Reason code", "Discrepancy id"].map((label) => page.getByLabel(label, { exact: true }).inputValue())),
        ["TYPED1", "SKU-9", "DAMAGED", "D-9"]
      )
    }))

  it.effect("processing files refresh until final, failures read in words, infinite scroll follows the cursor", () =>
    withPage(async (page, server) => {
      const late = await requestUpload(server.url, "SCROLL1|SKU-0|DAMAGED|D-late")
      for (let n = 1; n <= 29; n++) await requestUpload(server.url, `SCROLL1|SKU-1|DAMAGED|D-${String(n).padStart(2, "0")}`)
      const bad = await requestUpload(server.url, "SCROLL1|SKU-2|SHORT|D-text")
      await postUpload(bad, new TextEncoder().encode("not an image at all"))
      assert.strictEqual((await settled(server.url, bad.file_id)).failure_reason, "unsupported_format")

      const searches: Array<URLSearchParams> = []
      page.on("request", (request) => {
        const url = new URL(request.url())
        if (url.pathname === "/v1/media/search" && url.searchParams.get("entity_id") === "SCROLL1") searches.push(url.searchParams)
      })
      await signIn(page, `${server.url}/app/`, apiId, password)
      await page.getByLabel("Shipment, SKU or discrepancy", { exact: true }).fill("SCROLL1")
      await page.getByRole("button", { name: "Search" }).click()
      const lateCard = page.locator(`li.card[data-file-id='${late.file_id}']`)
      await lateCard.waitFor()
      assert.strictEqual(await lateCard.locator(".badge").textContent(), "Uploading")
      assert.strictEqual(searches[0]?.get("limit"), "24")
      assert.isNull(searches[0]?.get("cursor") ?? null)

      // The upload arrives from elsewhere; the card turns ready without a reload.
      await postUpload(late, await samplePhoto(4))
      await page.locator(`li.card[data-file-id='${late.file_id}'][data-status='ready'] img`).waitFor({ timeout: 60_000 })

      // Scrolling to the end loads the next page with the cursor.
      await page.locator(".sentinel").scrollIntoViewIfNeeded()
      await page.waitForFunction(() => document.querySelectorAll("li.card").length === 31)
      assert.isTrue(searches.some((params) => params.has("cursor")), "a page was fetched with a cursor")
      await page.getByText("31 photos for SCROLL1.").waitFor()
      assert.isTrue(await page.getByRole("button", { name: "Load more photos" }).isHidden())

      const badCard = page.locator(`li.card[data-file-id='${bad.file_id}']`)
      assert.strictEqual(await badCard.getAttribute("data-status"), "failed")
      assert.strictEqual(await badCard.locator(".badge").textContent(), "Failed")
      assert.include(await badCard.textContent(), "Not a JPEG, PNG, WebP or GIF image")
      const headings = await page.locator("section.group h3").allTextContents()
      assert.deepStrictEqual(headings, ["SKU SKU-0 · DAMAGED", "SKU SKU-1 · DAMAGED", "SKU SKU-2 · SHORT"])
    }))

  it.effect("a phone-sized viewport (375×667) never scrolls sideways", () =>
    withPage(async (page, server) => {
      for (let n = 0; n < 3; n++) {
        const ticket = await requestUpload(server.url, `PHONE1|SKU-LONG-NAME-0123456789|WRONG_ITEM|D-${n}`)
        await postUpload(ticket, await samplePhoto(n))
        assert.strictEqual((await settled(server.url, ticket.file_id)).status, "ready")
      }
      await page.goto(`${server.url}/app/`)
      await page.getByRole("button", { name: "Sign in" }).waitFor()
      assert.isAtMost(await horizontalOverflow(page), 0, "sign-in")
      // Signed in with a token this time.
      await page.getByRole("radio", { name: "Token" }).check()
      await page.getByLabel("Bearer token", { exact: true }).fill("token-writer-a-0123456789")
      await page.getByRole("button", { name: "Sign in" }).click()
      await page.getByLabel("Shipment, SKU or discrepancy", { exact: true }).fill("PHONE1")
      await page.getByRole("button", { name: "Search" }).click()
      await page.locator("li.card[data-status='ready']").nth(2).waitFor()
      assert.isAtMost(await horizontalOverflow(page), 0, "gallery")
      await page.locator("li.card button.thumb").first().click()
      await page.locator("dialog.lightbox").waitFor()
      assert.isAtMost(await horizontalOverflow(page), 0, "lightbox")
      await page.keyboard.press("Escape")
      await page.getByRole("link", { name: "Upload" }).click()
      await fileInput(page).setInputFiles({
        name: "a-photo-with-a-rather-long-file-name-from-the-phone.jpg",
        mimeType: "image/jpeg",
        buffer: await samplePhoto(5)
      })
      await page.locator(".uppy-Dashboard-Item").waitFor()
      assert.isAtMost(await horizontalOverflow(page), 0, "uploader")
    }, { phone: true }))
})

