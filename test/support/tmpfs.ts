/**
 * Small tmpfs mounts for disk-full tests (needs root, as CI has): a fresh
 * directory with a size-capped file system on it for the life of a scope,
 * and a way to fill it to the last byte and free it again.
 */
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/**
 * A tmpfs of `bytes` (at most 64 MiB) on `at` (created; a fresh temp directory by default),
 * unmounted and the directory removed when the scope closes.
 */
export const tmpfs = (bytes: number, at?: string) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      if (bytes > 64 * 1024 * 1024) throw new Error("tmpfs: keep test file systems small")
      const dir = at ?? mkdtempSync(join(tmpdir(), "media-tmpfs-"))
      mkdirSync(dir, { recursive: true })
      execFileSync("mount", ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", dir])
      return dir
    }),
    (dir) =>
      Effect.sync(() => {
        // Lazy: a killed child's files may still be held open for a moment.
        execFileSync("umount", ["-l", dir])
        rmSync(dir, { recursive: true, force: true })
      })
  )

/**
 * Fills the file system holding `dir` with the file `<dir>/<name>` until a write fails with
 * ENOSPC (bounded by `maxBytes`); returns its path. Removing that file gives the space back.
 */
export const fillUp = (dir: string, name = "filler", maxBytes = 64 * 1024 * 1024): string => {
  const path = join(dir, name)
  const fd = openSync(path, "a")
  try {
    for (const size of [64 * 1024, 4096, 512, 1]) {
      const chunk = Buffer.alloc(size, 0x2e)
      let written = 0
      try {
        while (written < maxBytes) written += writeSync(fd, chunk)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error
      }
    }
  } finally {
    closeSync(fd)
  }
  return path
}

/** Remounts the tmpfs at `dir` read-only or read-write again (fails while a file on it is open for writing). */
export const remount = (dir: string, mode: "ro" | "rw") => execFileSync("mount", ["-o", `remount,${mode}`, dir])
