/**
 * The shipment gallery: search by shipment, SKU or discrepancy (1–4 key
 * parts), thumbnails grouped by SKU and reason code, status badges, infinite
 * scroll over the API's cursors, delete with confirmation, and polling of
 * files that are not final yet until they are.
 */
import { type Api, ApiError, type FileView } from "./api.ts"
import { confirmDialog } from "./confirmDialog.ts"
import { announce, el, uniqueId } from "./dom.ts"
import { matchesSearch, parseSearch } from "./entityKey.ts"
import { failureText, formatTime, isFinal, statusLabel } from "./labels.ts"
import { openLightbox } from "./lightbox.ts"

export interface Gallery {
  readonly element: HTMLElement
  /** Runs a search as if the user typed `text` and pressed Search. */
  readonly search: (text: string) => void
  /** Tells the gallery a new file exists; it is shown if the current search covers it. */
  readonly fileAdded: (fileId: string, entityId: string) => void
  readonly dispose: () => void
}

export interface GalleryOptions {
  readonly pageSize: number
  /** Called with each search the user runs (the app keeps it in the URL). */
  readonly onSearch: (text: string) => void
}

interface Card {
  file: FileView
  readonly item: HTMLLIElement
}

const pollFirstMs = 1000
const pollMaxMs = 10_000
/** Files polled per round; more wait for the next round. */
const pollBatch = 20

const partsOf = (file: FileView) => {
  const [shipment = "", sku = "", reason = "", discrepancy = ""] = file.entity_id.split("|")
  return { shipment, sku, reason, discrepancy }
}

const errorText = (error: unknown): string => error instanceof Error ? error.message : String(error)

export const makeGallery = (api: Api, options: GalleryOptions): Gallery => {
  const inputId = uniqueId("search")
  const hintId = uniqueId("search-hint")
  const titleId = uniqueId("gallery-title")
  const input = el("input", {
    id: inputId,
    type: "search",
    name: "q",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "1RT823V93|SKU-001",
    "aria-describedby": hintId,
    required: true
  })
  const form = el(
    "form",
    { role: "search", class: "search", "aria-label": "Search photos" },
    el("label", { for: inputId }, "Shipment, SKU or discrepancy"),
    el("div", { class: "search-row" }, input, el("button", { type: "submit", class: "button primary" }, "Search")),
    el("p", { id: hintId, class: "hint" }, "A shipment id, shipment|SKU, shipment|SKU|reason code, or a full discrepancy key.")
  )
  const error = el("p", { class: "error", role: "alert" })
  const summary = el("p", { class: "summary", "aria-live": "polite" })
  const groups = el("div", { class: "groups" })
  const more = el("button", { type: "button", class: "button", hidden: true }, "Load more photos")
  const sentinel = el("div", { class: "sentinel", "aria-hidden": "true" })
  const element = el(
    "section",
    { class: "gallery", "aria-labelledby": titleId },
    el("h2", { id: titleId }, "Gallery"),
    form,
    error,
    summary,
    groups,
    el("div", { class: "more" }, more, sentinel)
  )

  let generation = 0
  let parts: ReadonlyArray<string> = []
  let cursor: string | undefined
  let done = true
  let loading = false
  const cards = new Map<string, Card>()
  const groupLists = new Map<string, HTMLUListElement>()
  const pending = new Set<string>()
  const refreshedOnce = new Set<string>()
  let pollTimer: ReturnType<typeof setTimeout> | undefined
  let pollDelay = pollFirstMs

  const updateSummary = () => {
    if (parts.length === 0) {
      summary.textContent = ""
      return
    }
    const what = parts.join("|")
    const count = cards.size
    summary.textContent = loading && count === 0
      ? `Searching ${what}…`
      : count === 0
      ? `No photos for ${what}.`
      : `${count} photo${count === 1 ? "" : "s"} for ${what}${done ? "." : ", more below."}`
  }

  const groupList = (file: FileView): HTMLUListElement => {
    const { sku, reason } = partsOf(file)
    const key = `${sku}|${reason}`
    const existing = groupLists.get(key)
    if (existing !== undefined) return existing
    const headingId = uniqueId("group")
    const list = el("ul", { class: "grid", role: "list" })
    groups.append(el(
      "section",
      { class: "group", "aria-labelledby": headingId, "data-group": key },
      el("h3", { id: headingId }, el("span", { class: "sku" }, `SKU ${sku}`), " · ", el("span", { class: "reason" }, reason)),
      list
    ))
    groupLists.set(key, list)
    return list
  }

  const openFrom = (fileId: string) => {
    const readyItems = [...groups.querySelectorAll<HTMLLIElement>("li[data-status='ready']")].flatMap((item) => {
      const card = cards.get(item.dataset.fileId ?? "")
      const opener = item.querySelector<HTMLElement>("button.thumb")
      return card === undefined || opener === null ? [] : [{ file: card.file, opener }]
    })
    openLightbox(readyItems, readyItems.findIndex((entry) => entry.file.file_id === fileId))
  }

  const removeCard = (fileId: string) => {
    const card = cards.get(fileId)
    if (card === undefined) return
    cards.delete(fileId)
    pending.delete(fileId)
    const list = card.item.parentElement
    card.item.remove()
    if (list !== null && list.childElementCount === 0) {
      list.closest("section.group")?.remove()
      for (const [key, value] of groupLists) if (value === list) groupLists.delete(key)
    }
    updateSummary()
  }

  const deleteFile = async (fileId: string) => {
    const card = cards.get(fileId)
    if (card === undefined) return
    const { sku, reason, discrepancy } = partsOf(card.file)
    const confirmed = await confirmDialog({
      title: "Delete this photo?",
      message: `The photo of discrepancy ${discrepancy} (SKU ${sku}, ${reason}) and its thumbnail are removed for good.`,
      confirmLabel: "Delete photo"
    })
    if (!confirmed) return
    try {
      await api.remove(fileId)
    } catch (cause) {
      if (!(cause instanceof ApiError && cause.status === 404)) {
        error.textContent = `The photo was not deleted: ${errorText(cause)}`
        return
      }
    }
    // Focus moves to a neighbour, so keyboard users keep their place in the grid.
    const neighbour = card.item.nextElementSibling ?? card.item.previousElementSibling
    removeCard(fileId)
    const target = neighbour?.querySelector<HTMLElement>("button.delete") ?? input
    target.focus()
    announce("Photo deleted.")
  }

  const renderCard = (card: Card) => {
    const { file, item } = card
    const { sku, reason, discrepancy } = partsOf(file)
    item.dataset.status = file.status
    const label = `discrepancy ${discrepancy}, SKU ${sku}, ${reason}`
    let thumb: HTMLElement
    if (file.status === "ready" && file.thumbnail_url !== undefined) {
      const image = el("img", { src: file.thumbnail_url, alt: "", width: "256", height: "256", loading: "lazy", decoding: "async" })
      // Signed URLs expire after an hour: a page left open gets fresh ones once.
      image.addEventListener("error", () => {
        if (refreshedOnce.has(file.file_id)) return
        refreshedOnce.add(file.file_id)
        api.get(file.file_id).then(updateCard, () => undefined)
      })
      thumb = el("button", { type: "button", class: "thumb", "aria-label": `Open photo of ${label}` }, image)
      thumb.addEventListener("click", () => openFrom(file.file_id))
    } else {
      thumb = el(
        "div",
        { class: `thumb placeholder${isFinal(file.status) ? "" : " busy"}`, "aria-hidden": "true" },
        el("span", {}, file.status === "failed" ? "!" : "…")
      )
    }
    const remove = el("button", { type: "button", class: "button small delete", "aria-label": `Delete photo of ${label}` }, "Delete")
    remove.addEventListener("click", () => void deleteFile(file.file_id))
    item.replaceChildren(
      thumb,
      el(
        "div",
        { class: "card-body" },
        el("p", { class: "card-title" }, el("span", { class: `badge status-${file.status}` }, statusLabel[file.status] ?? file.status), " ", el("span", { class: "discrepancy" }, discrepancy)),
        file.status === "failed" ? el("p", { class: "failure" }, failureText(file.failure_reason)) : null,
        el("p", { class: "time" }, el("time", { datetime: new Date(file.created_at * 1000).toISOString() }, formatTime(file.created_at))),
        remove
      )
    )
  }

  const updateCard = (file: FileView) => {
    const card = cards.get(file.file_id)
    if (card === undefined) return
    const focusedThumb = card.item.contains(document.activeElement)
    card.file = file
    renderCard(card)
    if (focusedThumb) card.item.querySelector<HTMLElement>("button.thumb, button.delete")?.focus()
    if (isFinal(file.status)) pending.delete(file.file_id)
  }

  const poll = async () => {
    pollTimer = undefined
    const round = generation
    const ids = [...pending].slice(0, pollBatch)
    const results = await Promise.all(ids.map((id) =>
      api.get(id).then((file) => ({ id, file }), (cause: unknown) => ({ id, cause }))
    ))
    if (round !== generation) return
    for (const result of results) {
      if ("file" in result) updateCard(result.file)
      else if (result.cause instanceof ApiError && result.cause.status === 404) removeCard(result.id)
    }
    // Rotate, so files past the batch get their turn.
    for (const id of ids) if (pending.delete(id)) pending.add(id)
    pollDelay = Math.min(pollDelay * 1.5, pollMaxMs)
    schedulePoll()
  }

  const schedulePoll = (soon = false) => {
    if (soon) {
      pollDelay = pollFirstMs
      if (pollTimer !== undefined) clearTimeout(pollTimer)
      pollTimer = undefined
    }
    if (pollTimer !== undefined || pending.size === 0) return
    pollTimer = setTimeout(() => void poll(), pollDelay)
  }

  const addCard = (file: FileView) => {
    if (cards.has(file.file_id)) return updateCard(file)
    const card: Card = { file, item: el("li", { class: "card", "data-file-id": file.file_id }) }
    cards.set(file.file_id, card)
    renderCard(card)
    groupList(file).append(card.item)
    if (!isFinal(file.status)) pending.add(file.file_id)
  }

  const loadPage = async () => {
    if (loading || done) return
    loading = true
    const round = generation
    updateSummary()
    try {
      const page = await api.search(parts.join("|"), options.pageSize, cursor)
      if (round !== generation) return
      for (const file of page.files) addCard(file)
      cursor = page.cursor
      done = cursor === undefined
      error.textContent = ""
    } catch (cause) {
      if (round !== generation) return
      error.textContent = `The search failed: ${errorText(cause)}`
      done = true
    } finally {
      if (round === generation) loading = false
    }
    updateSummary()
    more.hidden = done
    schedulePoll(true)
    if (!done) {
      // Observing again reports the sentinel's current state: a page that did not fill the screen loads the next.
      observer.unobserve(sentinel)
      observer.observe(sentinel)
    }
  }

  const observer = new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) void loadPage()
  }, { rootMargin: "0px 0px 600px 0px" })

  const search = (text: string) => {
    input.value = text
    const parsed = parseSearch(text)
    if ("problem" in parsed) {
      error.textContent = parsed.problem
      input.setAttribute("aria-invalid", "true")
      input.focus()
      return
    }
    input.removeAttribute("aria-invalid")
    generation++
    if (pollTimer !== undefined) clearTimeout(pollTimer)
    pollTimer = undefined
    parts = parsed.parts
    cursor = undefined
    done = false
    loading = false
    cards.clear()
    groupLists.clear()
    pending.clear()
    groups.replaceChildren()
    error.textContent = ""
    more.hidden = true
    void loadPage()
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault()
    options.onSearch(input.value.trim())
    search(input.value)
  })
  more.addEventListener("click", () => void loadPage())

  return {
    element,
    search,
    fileAdded: (fileId, entityId) => {
      if (parts.length === 0 || !matchesSearch(entityId, parts)) return
      api.get(fileId).then((file) => {
        addCard(file)
        updateSummary()
        schedulePoll(true)
      }, () => undefined)
    },
    dispose: () => {
      generation++
      if (pollTimer !== undefined) clearTimeout(pollTimer)
      observer.disconnect()
    }
  }
}
