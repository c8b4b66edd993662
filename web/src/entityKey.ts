/**
 * shipment_item keys as SPEC §4 defines them: `shipment|sku|reason|discrepancy`,
 * each part non-empty, ≤ 128 characters, no `|` and no control characters.
 * The server decides; this only gives the user an early, precise message.
 */
export const partNames = ["shipment", "SKU", "reason code", "discrepancy id"] as const

const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/

/** Why `part` cannot be a key part, or undefined when it can. */
export const partProblem = (part: string, name: string): string | undefined => {
  if (part.length === 0) return `The ${name} is empty.`
  if (part.length > 128) return `The ${name} is longer than 128 characters.`
  if (part.includes("|")) return `The ${name} contains "|", which separates the key's parts.`
  if (controlCharacters.test(part)) return `The ${name} contains a control character.`
  return undefined
}

/** Splits a search text into 1–4 trimmed parts, or explains why it cannot be searched. */
export const parseSearch = (text: string): { readonly parts: ReadonlyArray<string> } | { readonly problem: string } => {
  const parts = text.trim().split("|").map((part) => part.trim())
  if (parts.length > 4) return { problem: "A key has at most 4 parts: shipment|SKU|reason code|discrepancy id." }
  for (const [index, part] of parts.entries()) {
    const problem = partProblem(part, partNames[index] ?? "part")
    if (problem !== undefined) return { problem }
  }
  return { parts }
}

/** True when `key` lies under the search `parts` (whole parts, as the API matches). */
export const matchesSearch = (key: string, parts: ReadonlyArray<string>): boolean => {
  const keyParts = key.split("|")
  return parts.every((part, index) => keyParts[index] === part)
}
