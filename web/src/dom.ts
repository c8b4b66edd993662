/** A tiny element builder: attributes as strings, children as nodes or text (never HTML). */
export type Child = Node | string | null | undefined | false

export const el = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, string | boolean | undefined>> = {},
  ...children: ReadonlyArray<Child>
): HTMLElementTagNameMap[K] => {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue
    element.setAttribute(name, value === true ? "" : value)
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    element.append(child)
  }
  return element
}

let idCounter = 0
/** A document-unique id for label/aria wiring. */
export const uniqueId = (prefix: string): string => `${prefix}-${++idCounter}`

/** Announces `message` to screen readers through the page's polite live region. */
export const announce = (message: string): void => {
  const region = document.getElementById("announcer")
  if (region === null) return
  region.textContent = ""
  // A fresh text node after clearing makes screen readers read a repeated message again.
  requestAnimationFrame(() => { region.textContent = message })
}
