/**
 * The resume file of `media upload`: which files of a batch are already
 * uploaded (by absolute path, size and modification time, for one entity), so
 * running the same command again after a failure uploads only the rest.
 * One file serves every batch (entries are keyed by path and entity). Written
 * after every success, atomically (temp file + rename); two uploads running at
 * the same time with the same state file may each drop the other's entries.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises"
import { homedir } from "node:os"
import { dirname, join } from "node:path"

/** `$XDG_STATE_HOME/media/upload-state.json`, else `~/.local/state/media/upload-state.json`. */
export const defaultStatePath = (env: NodeJS.ProcessEnv = process.env) =>
  join(env.XDG_STATE_HOME ?? join(homedir(), ".local", "state"), "media", "upload-state.json")

export interface UploadedEntry {
  readonly file_id: string
  readonly entity_id: string
  readonly size: number
  readonly mtime_ms: number
  readonly uploaded_at: string
}

interface StateDocument {
  readonly version: 1
  readonly uploaded: Record<string, UploadedEntry>
}

export interface UploadState {
  /** The file id of `path` if this exact file was already uploaded for `entityId`. */
  readonly find: (path: string, entityId: string, size: number, mtimeMs: number) => string | undefined
  readonly record: (path: string, entry: UploadedEntry) => Promise<void>
}

/** Loads the state at `file` (missing = empty). */
export const loadUploadState = async (file: string): Promise<UploadState> => {
  let document: StateDocument = { version: 1, uploaded: {} }
  try {
    const parsed = JSON.parse(await readFile(file, "utf8")) as StateDocument
    if (parsed.version === 1 && typeof parsed.uploaded === "object" && parsed.uploaded !== null) document = parsed
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`cannot read the state file ${file}: ${(error as Error).message}`)
  }
  const keyOf = (path: string, entityId: string) => `${entityId}\u0000${path}`
  // Writes are chained so concurrent successes never interleave.
  let writing: Promise<void> = Promise.resolve()
  return {
    find: (path, entityId, size, mtimeMs) => {
      const entry = document.uploaded[keyOf(path, entityId)]
      return entry !== undefined && entry.size === size && entry.mtime_ms === mtimeMs ? entry.file_id : undefined
    },
    record: (path, entry) => {
      document = { version: 1, uploaded: { ...document.uploaded, [keyOf(path, entry.entity_id)]: entry } }
      const snapshot = JSON.stringify(document, null, 2)
      writing = writing.then(async () => {
        const temp = `${file}.${process.pid}.tmp`
        await mkdir(dirname(file), { recursive: true })
        await writeFile(temp, snapshot)
        await rename(temp, file)
      })
      return writing
    }
  }
}
