/**
 * What a failed file-system call means to an operator: the disk is full, the
 * file system is read-only, a permission is missing. Found by errno code (Node,
 * effect's PlatformError) or by LevelDB's message text, anywhere in a cause chain.
 */

export type DiskFaultCode = "ENOSPC" | "EDQUOT" | "EROFS" | "EACCES"

export interface DiskFault {
  readonly code: DiskFaultCode
  /** For messages and logs, e.g. "no space left on device (ENOSPC)". */
  readonly description: string
  /** The condition can pass without a restart (space freed, file system remounted): worth retrying later. */
  readonly transient: boolean
}

interface Known extends DiskFault {
  readonly codes: ReadonlyArray<string>
  /** How LevelDB (which reports no errno) words it: `IO error: <file>: No space left on device`. */
  readonly text: string
}

const known: ReadonlyArray<Known> = [
  { code: "ENOSPC", codes: ["ENOSPC"], text: "no space left on device", description: "no space left on device (ENOSPC)", transient: true },
  { code: "EDQUOT", codes: ["EDQUOT"], text: "disk quota exceeded", description: "disk quota exceeded (EDQUOT)", transient: true },
  { code: "EROFS", codes: ["EROFS"], text: "read-only file system", description: "the file system is read-only (EROFS)", transient: true },
  { code: "EACCES", codes: ["EACCES", "EPERM"], text: "permission denied", description: "permission denied (EACCES)", transient: false }
]

/** The errors `error` was caused by, itself first (bounded: cause chains can be cyclic). */
export const causeChain = (error: unknown): ReadonlyArray<unknown> => {
  const chain: Array<unknown> = []
  let current: unknown = error
  while (current !== undefined && current !== null && chain.length < 8 && !chain.includes(current)) {
    chain.push(current)
    // effect's PlatformError keeps the system error in `reason`, which keeps Node's error in `cause`.
    const next: unknown = typeof current === "object" && "reason" in current && typeof current.reason === "object"
      ? current.reason
      : typeof current === "object" && "cause" in current
      ? current.cause
      : undefined
    current = next
  }
  return chain
}

const fieldOf = (value: unknown, name: "code" | "message"): string | undefined =>
  typeof value === "object" && value !== null && name in value && typeof (value as Record<string, unknown>)[name] === "string"
    ? (value as Record<string, string>)[name]
    : undefined

/** The disk fault behind `error`, if one is. */
export const diskFault = (error: unknown): DiskFault | undefined => {
  for (const link of causeChain(error)) {
    const code = fieldOf(link, "code")
    const message = fieldOf(link, "message")?.toLowerCase() ?? ""
    const found = known.find((fault) => (code !== undefined && fault.codes.includes(code)) || message.includes(fault.text))
    if (found !== undefined) return { code: found.code, description: found.description, transient: found.transient }
  }
  return undefined
}
