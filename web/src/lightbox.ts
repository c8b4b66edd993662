/**
 * The full image of one ready file in a modal `<dialog>`: Esc closes,
 * ← and → move through the photos the gallery shows, focus goes back to the
 * thumbnail that opened it.
 */
import type { FileView } from "./api.ts"
import { el, uniqueId } from "./dom.ts"
import { formatBytes } from "./labels.ts"

export interface LightboxItem {
  readonly file: FileView
  /** The element to focus when the lightbox closes on this item. */
  readonly opener: HTMLElement
}

const describe = (file: FileView): string => {
  const [shipment, sku, reason, discrepancy] = file.entity_id.split("|")
  return `${sku ?? ""} · ${reason ?? ""} · ${discrepancy ?? ""} (shipment ${shipment ?? ""})`
}

export const openLightbox = (items: ReadonlyArray<LightboxItem>, start: number): void => {
  if (items.length === 0) return
  let index = Math.min(Math.max(start, 0), items.length - 1)
  const titleId = uniqueId("lightbox-title")
  const title = el("h2", { id: titleId })
  const image = el("img", { class: "full", alt: "" })
  const caption = el("figcaption", {})
  const download = el("a", { class: "button", target: "_blank", rel: "noopener noreferrer" }, "Open original size")
  const previous = el("button", { type: "button", class: "button nav", "aria-label": "Previous photo" }, "‹")
  const next = el("button", { type: "button", class: "button nav", "aria-label": "Next photo" }, "›")
  const close = el("button", { type: "button", class: "button close", "aria-label": "Close" }, "✕")
  const dialog = el(
    "dialog",
    { class: "lightbox", "aria-labelledby": titleId },
    el("div", { class: "lightbox-bar" }, title, close),
    el("figure", {}, image, caption),
    el("div", { class: "lightbox-nav" }, previous, download, next)
  )

  const show = () => {
    const item = items[index]
    if (item === undefined) return
    const { file } = item
    title.textContent = `Photo ${index + 1} of ${items.length}`
    image.src = file.download_url ?? ""
    image.alt = `Photo of ${describe(file)}`
    caption.textContent = `${describe(file)} — ${file.width ?? "?"}×${file.height ?? "?"}, ${formatBytes(file.file_size)}`
    download.href = file.download_url ?? "#"
    previous.disabled = index === 0
    next.disabled = index === items.length - 1
  }
  const move = (step: number) => {
    const target = index + step
    if (target < 0 || target >= items.length) return
    index = target
    show()
    // A button that just became disabled loses focus to the body; keep it inside the dialog.
    if (document.activeElement instanceof HTMLButtonElement && document.activeElement.disabled) close.focus()
  }

  previous.addEventListener("click", () => move(-1))
  next.addEventListener("click", () => move(1))
  close.addEventListener("click", () => dialog.close())
  dialog.addEventListener("keydown", (event) => {
    if (event.key === "ArrowLeft") move(-1)
    else if (event.key === "ArrowRight") move(1)
    else return
    event.preventDefault()
  })
  // A click on the backdrop (the dialog element itself, outside its content) closes it.
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close()
  })
  dialog.addEventListener("close", () => {
    dialog.remove()
    const opener = items[index]?.opener
    if (opener?.isConnected === true) opener.focus()
  })
  document.body.append(dialog)
  show()
  dialog.showModal()
  close.focus()
}
