/**
 * The web app: sign in, then the gallery and the uploader. The view and the
 * search live in the URL's hash (`#gallery/<key>`, `#upload/<key>`), so the
 * static build needs no server-side routing.
 */
import "./styles.css"
import { makeApi } from "./api.ts"
import { loadConfig } from "./config.ts"
import { el } from "./dom.ts"
import { type Gallery, makeGallery } from "./gallery.ts"
import { clearSession, loadSession, saveSession, type Session } from "./session.ts"
import { makeSignIn } from "./signIn.ts"
import { makeUploader, type Uploader } from "./uploader.ts"

type View = "gallery" | "upload"

const parseHash = (): { view: View; key: string } => {
  const [view = "", ...rest] = location.hash.replace(/^#/, "").split("/")
  const key = decodeURIComponent(rest.join("/"))
  return { view: view === "upload" ? "upload" : "gallery", key }
}

const setHash = (view: View, key: string) => {
  const next = `#${view}${key === "" ? "" : `/${encodeURIComponent(key)}`}`
  if (location.hash !== next) history.pushState(null, "", next)
}

const root = document.getElementById("app") ?? document.body
const announcer = el("div", { id: "announcer", class: "visually-hidden", "aria-live": "polite" })

let teardown: () => void = () => undefined

const showSignIn = (apiBaseUrl: string, notice = "") => {
  teardown()
  teardown = () => undefined
  const form = makeSignIn(apiBaseUrl, (session) => {
    saveSession(session)
    showApp(session, apiBaseUrl)
  }, notice)
  root.replaceChildren(el("main", { class: "signed-out" }, form), announcer)
  form.querySelector<HTMLInputElement>("input:not([type=radio])")?.focus()
}

const showApp = (session: Session, configuredBase: string) => {
  teardown()
  // A credential revoked while signed in: back to the sign-in form, saying why.
  let revoked = false
  const api = makeApi(session.apiBaseUrl, session.authorization, () => {
    if (revoked) return
    revoked = true
    clearSession()
    showSignIn(configuredBase, "You were signed out: the credential is no longer accepted.")
  })
  let gallery: Gallery | undefined
  let uploader: Uploader | undefined
  const navGallery = el("a", { href: "#gallery", class: "tab" }, "Gallery")
  const navUpload = el("a", { href: "#upload", class: "tab" }, "Upload")
  const signOut = el("button", { type: "button", class: "button small" }, "Sign out")
  const mainElement = el("main", { id: "main", tabindex: "-1" })
  const header = el(
    "header",
    { class: "topbar" },
    el("p", { class: "brand" }, "Shipment photos"),
    el("nav", { "aria-label": "Sections" }, navGallery, navUpload),
    el("div", { class: "account" }, el("p", { class: "who" }, el("span", { class: "visually-hidden" }, "Signed in as "), session.label), signOut)
  )
  gallery = makeGallery(api, { pageSize: 24, onSearch: (text) => setHash("gallery", text) })
  uploader = makeUploader(api, {
    onUploaded: (fileId, entityId) => gallery?.fileAdded(fileId, entityId),
    onShow: (entityId) => {
      setHash("gallery", entityId)
      route()
    }
  })
  let routed: string | undefined
  const route = () => {
    // Back/forward fire both popstate and hashchange: route each URL once.
    if (location.hash === routed) return
    routed = location.hash
    const { view, key } = parseHash()
    navGallery.toggleAttribute("aria-current", false)
    navUpload.toggleAttribute("aria-current", false)
    ;(view === "gallery" ? navGallery : navUpload).setAttribute("aria-current", "page")
    if (gallery === undefined || uploader === undefined) return
    if (view === "gallery") {
      mainElement.replaceChildren(gallery.element)
      if (key !== "") gallery.search(key)
    } else {
      if (key !== "") uploader.setKey(key)
      mainElement.replaceChildren(uploader.element)
    }
    document.title = `${view === "gallery" ? "Gallery" : "Upload"} — Shipment photos`
  }
  const onHash = () => route()
  window.addEventListener("hashchange", onHash)
  window.addEventListener("popstate", onHash)
  signOut.addEventListener("click", () => {
    clearSession()
    history.replaceState(null, "", location.pathname + location.search)
    showSignIn(configuredBase)
  })
  teardown = () => {
    window.removeEventListener("hashchange", onHash)
    window.removeEventListener("popstate", onHash)
    gallery?.dispose()
    uploader?.dispose()
    gallery = undefined
    uploader = undefined
  }
  const skip = el("a", { href: "#main", class: "skip" }, "Skip to content")
  // The hash holds the view, so the skip link moves focus itself instead of navigating.
  skip.addEventListener("click", (event) => {
    event.preventDefault()
    mainElement.focus()
  })
  root.replaceChildren(skip, header, mainElement, announcer)
  route()
}

const start = async () => {
  const config = await loadConfig()
  const session = loadSession()
  if (session === undefined) showSignIn(config.apiBaseUrl)
  else showApp(session, config.apiBaseUrl)
}

void start()
