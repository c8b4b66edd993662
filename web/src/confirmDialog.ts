/**
 * A modal confirmation (`<dialog>` opened with showModal: the rest of the page
 * is inert, Esc cancels). Focus starts on the safe choice and returns to
 * whatever had it before.
 */
import { el, uniqueId } from "./dom.ts"

export interface ConfirmOptions {
  readonly title: string
  readonly message: string
  readonly confirmLabel: string
}

export const confirmDialog = (options: ConfirmOptions): Promise<boolean> => {
  const titleId = uniqueId("confirm-title")
  const messageId = uniqueId("confirm-message")
  const cancel = el("button", { type: "button", class: "button" }, "Cancel")
  const confirm = el("button", { type: "button", class: "button danger" }, options.confirmLabel)
  const dialog = el(
    "dialog",
    { class: "confirm", role: "alertdialog", "aria-labelledby": titleId, "aria-describedby": messageId },
    el("h2", { id: titleId }, options.title),
    el("p", { id: messageId }, options.message),
    el("div", { class: "actions" }, cancel, confirm)
  )
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null
  document.body.append(dialog)
  return new Promise((resolve) => {
    let answer = false
    cancel.addEventListener("click", () => dialog.close())
    confirm.addEventListener("click", () => {
      answer = true
      dialog.close()
    })
    dialog.addEventListener("close", () => {
      dialog.remove()
      if (opener?.isConnected === true) opener.focus()
      resolve(answer)
    })
    dialog.showModal()
    cancel.focus()
  })
}
