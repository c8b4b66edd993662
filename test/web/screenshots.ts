/**
 * `npm run screenshots:web`: the README's pictures of the web app, taken from
 * a real embedded server (in a temp dir) in headless Chromium:
 * docs/images/web-gallery.png (desktop) and docs/images/web-uploader-phone.png.
 */
import { Effect } from "effect"
import { readFileSync, writeFileSync } from "node:fs"
import sharp from "sharp"
import { fileURLToPath } from "node:url"
import { embeddedServer, workDir } from "../support/servers.ts"
import { guardedPage, launchChromium, signIn } from "./support/browser.ts"
import { samplePhoto } from "./support/photos.ts"
import { postUpload, requestUpload, settled } from "./support/seed.ts"

const imagesDir = new URL("../../docs/images/", import.meta.url)
/** Screenshots as palette PNGs: a fraction of the size, no visible loss for a UI. */
const savePng = async (png: Buffer, name: string) =>
  writeFileSync(fileURLToPath(new URL(name, imagesDir)), await sharp(png).png({ palette: true, quality: 90, effort: 10 }).toBuffer())

const examplePhoto = readFileSync(fileURLToPath(new URL("../../examples/photo.jpg", import.meta.url)))

const seed = async (apiUrl: string) => {
  const ready = [
    ["1RT823V93|SKU-001|DAMAGED|51076f94", examplePhoto],
    ["1RT823V93|SKU-001|DAMAGED|51076f94", await samplePhoto(0)],
    ["1RT823V93|SKU-001|DAMAGED|8c2e11a0", await samplePhoto(1)],
    ["1RT823V93|SKU-001|WRONG_ITEM|0d9e4c71", await samplePhoto(2)],
    ["1RT823V93|SKU-002|DAMAGED|77aa01be", await samplePhoto(3)],
    ["1RT823V93|SKU-002|DAMAGED|77aa01be", await samplePhoto(4)],
    ["1RT823V93|SKU-002|MISSING_PART|3f5b9d20", await samplePhoto(5)]
  ] as const
  for (const [key, bytes] of ready) {
    const ticket = await requestUpload(apiUrl, key)
    await postUpload(ticket, new Uint8Array(bytes))
    await settled(apiUrl, ticket.file_id)
  }
  const failed = await requestUpload(apiUrl, "1RT823V93|SKU-002|MISSING_PART|3f5b9d20")
  await postUpload(failed, new TextEncoder().encode("%PDF-1.7 not a photo"))
  await settled(apiUrl, failed.file_id)
  // Announced but never uploaded: shows as "Uploading".
  await requestUpload(apiUrl, "1RT823V93|SKU-002|MISSING_PART|3f5b9d20")
}

const program = Effect.gen(function*() {
  const dir = yield* workDir
  const server = yield* embeddedServer(dir)
  yield* Effect.promise(async () => {
    await seed(server.url)
    const browser = await launchChromium()
    try {
      const desktop = await guardedPage(browser)
      await signIn(desktop.page, `${server.url}/app/`, "10020-140", "pw-a-0123456789")
      await desktop.page.getByLabel("Shipment, SKU or discrepancy", { exact: true }).fill("1RT823V93")
      await desktop.page.getByRole("button", { name: "Search" }).click()
      await desktop.page.locator("li.card").nth(8).waitFor()
      await desktop.page.waitForFunction(() =>
        Array.from(document.querySelectorAll<HTMLImageElement>("li.card img")).every((image) => image.complete && image.naturalWidth > 0)
      )
      await savePng(await desktop.page.screenshot({ fullPage: true }), "web-gallery.png")

      const phone = await guardedPage(browser, { phone: true })
      await signIn(phone.page, `${server.url}/app/`, "10020-140", "pw-a-0123456789")
      await phone.page.getByRole("link", { name: "Upload" }).click()
      await phone.page.getByLabel("Shipment", { exact: true }).fill("1RT823V93")
      await phone.page.getByLabel("SKU", { exact: true }).fill("SKU-003")
      await phone.page.getByLabel("Reason code", { exact: true }).fill("DAMAGED")
      await phone.page.getByLabel("Discrepancy id", { exact: true }).fill("c41d5e02")
      await phone.page.locator("input.uppy-Dashboard-input[name='files[]']:not([webkitdirectory])").setInputFiles([
        { name: "IMG_2041.jpg", mimeType: "image/jpeg", buffer: await samplePhoto(1) },
        { name: "IMG_2042.jpg", mimeType: "image/jpeg", buffer: await samplePhoto(4) }
      ])
      await phone.page.locator(".uppy-Dashboard-Item-previewImg").nth(1).waitFor()
      await savePng(await phone.page.screenshot({ fullPage: true }), "web-uploader-phone.png")
      for (const guarded of [desktop, phone]) {
        if (guarded.blocked.length > 0) throw new Error(`requests left the machine: ${guarded.blocked.join(", ")}`)
      }
    } finally {
      await browser.close()
    }
  })
  console.log(`Screenshots written to ${fileURLToPath(imagesDir)}`)
})

await Effect.runPromise(Effect.scoped(program))
