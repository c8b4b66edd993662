/**
 * Upload progress on the terminal: on a TTY, a bar per file and one overall,
 * redrawn in place at most every 100 ms; otherwise one plain line per event.
 */

export interface FileProgress {
  readonly name: string
  readonly total: number
  loaded: number
  state: "waiting" | "uploading" | "done" | "skipped" | "failed"
}

const units = ["B", "KB", "MB", "GB"]

/** `1.4 MB`-style sizes. */
export const formatBytes = (bytes: number): string => {
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit += 1
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`
}

const bar = (fraction: number, width: number) => {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width)
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`
}

const fit = (text: string, width: number) =>
  text.length <= width ? text.padEnd(width) : `…${text.slice(text.length - width + 1)}`

/** The lines of the bars for `files` (pure, so it can be tested): one per file, then the overall line. */
export const renderBars = (files: ReadonlyArray<FileProgress>, columns: number): Array<string> => {
  const nameWidth = Math.max(8, Math.min(32, columns - 50))
  const barWidth = Math.max(10, Math.min(30, columns - nameWidth - 30))
  const line = (name: string, loaded: number, total: number, note: string) => {
    const percent = total === 0 ? 100 : Math.floor((loaded / total) * 100)
    return `${fit(name, nameWidth)} ${bar(total === 0 ? 1 : loaded / total, barWidth)} ${String(percent).padStart(3)}% ${note}`
  }
  const lines = files.map((f) =>
    line(f.name, f.loaded, f.total, f.state === "uploading" || f.state === "waiting" ? formatBytes(f.total) : f.state)
  )
  const loaded = files.reduce((sum, f) => sum + f.loaded, 0)
  const total = files.reduce((sum, f) => sum + f.total, 0)
  const finished = files.filter((f) => f.state === "done" || f.state === "skipped" || f.state === "failed").length
  lines.push(line("overall", loaded, total, `${finished}/${files.length} files, ${formatBytes(loaded)} of ${formatBytes(total)}`))
  return lines
}

export interface ProgressView {
  /** Bytes of file `index` sent so far. */
  readonly progress: (index: number, loaded: number) => void
  /** File `index` is finished; `line` is printed (plain mode) or shown as its state (TTY). */
  readonly finish: (index: number, state: FileProgress["state"], line: string) => void
  /** Draws the final state. */
  readonly close: () => void
}

/** Bars on `stream` when it is a TTY, plain lines otherwise. Result lines always go to `out`. */
export const progressView = (
  files: Array<FileProgress>,
  stream: NodeJS.WriteStream,
  out: NodeJS.WritableStream
): ProgressView => {
  if (stream.isTTY !== true) {
    return {
      progress: (index, loaded) => {
        files[index]!.loaded = loaded
      },
      finish: (index, state, line) => {
        files[index]!.state = state
        out.write(`${line}\n`)
      },
      close: () => undefined
    }
  }
  let drawn = 0
  let last = 0
  const results: Array<string> = []
  const draw = (force: boolean) => {
    const now = Date.now()
    if (!force && now - last < 100) return
    last = now
    const lines = renderBars(files, stream.columns > 0 ? stream.columns : 80)
    let text = drawn > 0 ? `\x1b[${drawn}A` : ""
    for (const line of lines) text += `\x1b[2K${line}\n`
    stream.write(text)
    drawn = lines.length
  }
  draw(true)
  return {
    progress: (index, loaded) => {
      files[index]!.loaded = loaded
      files[index]!.state = "uploading"
      draw(false)
    },
    finish: (index, state, line) => {
      files[index]!.state = state
      if (state === "done" || state === "skipped") files[index]!.loaded = files[index]!.total
      results.push(line)
      draw(true)
    },
    close: () => {
      draw(true)
      for (const line of results) out.write(`${line}\n`)
    }
  }
}
