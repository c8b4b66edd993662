/**
 * The sign-in form: an API id and password (HTTP Basic) or a token (Bearer),
 * and the API's address (prefilled from config.json). The credential is
 * checked with one search before the session is kept.
 */
import { ApiError, makeApi } from "./api.ts"
import { el, uniqueId } from "./dom.ts"
import { basicAuthorization, type Session } from "./session.ts"

export const makeSignIn = (apiBaseUrl: string, onSignedIn: (session: Session) => void, notice = ""): HTMLElement => {
  const ids = { title: uniqueId("sign-in"), apiId: uniqueId("api-id"), password: uniqueId("password"), token: uniqueId("token"), base: uniqueId("api-base") }
  const method = (value: string, label: string, checked: boolean) =>
    el("label", { class: "choice" }, el("input", { type: "radio", name: "method", value, checked }), ` ${label}`)
  const apiId = el("input", { id: ids.apiId, name: "api_id", autocomplete: "username", spellcheck: "false", autocapitalize: "off" })
  const password = el("input", { id: ids.password, name: "password", type: "password", autocomplete: "current-password" })
  const token = el("input", { id: ids.token, name: "token", type: "password", autocomplete: "off", spellcheck: "false" })
  const base = el("input", { id: ids.base, name: "api_base", type: "url", value: apiBaseUrl, placeholder: location.origin, spellcheck: "false" })
  const passwordFields = el(
    "div",
    { class: "method-fields" },
    el("div", { class: "field" }, el("label", { for: ids.apiId }, "API id"), apiId),
    el("div", { class: "field" }, el("label", { for: ids.password }, "Password"), password)
  )
  const tokenFields = el("div", { class: "method-fields", hidden: true }, el("div", { class: "field" }, el("label", { for: ids.token }, "Bearer token"), token))
  const error = el("p", { class: "error", role: "alert" }, notice)
  const submit = el("button", { type: "submit", class: "button primary" }, "Sign in")
  const form = el(
    "form",
    { class: "sign-in", "aria-labelledby": ids.title, novalidate: true },
    el("h1", { id: ids.title }, "Shipment photos"),
    el("p", {}, "Sign in with the API credentials of your account."),
    el("fieldset", { class: "methods" }, el("legend", {}, "Sign in with"), method("password", "API id and password", true), method("token", "Token", false)),
    passwordFields,
    tokenFields,
    el(
      "details",
      { class: "server" },
      el("summary", {}, "Server"),
      el("div", { class: "field" }, el("label", { for: ids.base }, "API base URL"), base),
      el("p", { class: "hint" }, "Leave empty when the app is served by the API itself.")
    ),
    error,
    submit
  )
  const usesToken = () => form.querySelector<HTMLInputElement>("input[name=method]:checked")?.value === "token"
  form.addEventListener("change", (event) => {
    if (!(event.target instanceof HTMLInputElement) || event.target.name !== "method") return
    tokenFields.hidden = !usesToken()
    passwordFields.hidden = usesToken()
  })
  form.addEventListener("submit", (event) => {
    event.preventDefault()
    const baseUrl = base.value.trim().replace(/\/+$/, "")
    const missing = usesToken()
      ? token.value === "" ? token : undefined
      : apiId.value.trim() === "" ? apiId : password.value === "" ? password : undefined
    if (missing !== undefined) {
      error.textContent = `Enter the ${missing === token ? "token" : missing === apiId ? "API id" : "password"}.`
      missing.focus()
      return
    }
    if (baseUrl !== "" && !/^https?:\/\//.test(baseUrl)) {
      error.textContent = "The API base URL must start with http:// or https://."
      base.closest("details")?.setAttribute("open", "")
      base.focus()
      return
    }
    const authorization = usesToken() ? `Bearer ${token.value.trim()}` : basicAuthorization(apiId.value.trim(), password.value)
    const label = usesToken() ? "token" : apiId.value.trim()
    submit.disabled = true
    error.textContent = ""
    // Any search proves the credential; 403 means it may only write, which is still a valid sign-in.
    makeApi(baseUrl, authorization).search("sign-in-check", 1).then(
      () => onSignedIn({ apiBaseUrl: baseUrl, authorization, label }),
      (cause: unknown) => {
        if (cause instanceof ApiError && cause.status === 403) return onSignedIn({ apiBaseUrl: baseUrl, authorization, label })
        submit.disabled = false
        error.textContent = cause instanceof Error ? cause.message : String(cause)
        ;(usesToken() ? token : password).focus()
      }
    )
  })
  return form
}
