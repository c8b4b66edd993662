/**
 * Keeps dynalite's LevelDB failures inside the request that met them. dynalite
 * throws any store error it did not expect from a callback (`if (err) throw err`),
 * so a full or read-only metadata directory would end the process. Guarded, such
 * an error is answered as DynamoDB's own InternalServerError (500, which the SDK
 * retries and the repository reports as a RepositoryError).
 *
 * A failed write also tears LevelDB's log: the bytes of its last buffered
 * writes (acknowledged ones included) are cut off, and every record appended
 * afterwards would be unreadable, hence lost, at the next start. So after a
 * failed write the store takes no more writes (reads go on from memory) until
 * it has recovered: once the disk has room again, the next request flushes
 * LevelDB's memory to a table file and starts a fresh log (`compactRange`),
 * which keeps every acknowledged write. If that cannot work (a read-only file
 * system, an error LevelDB keeps), the LevelDB is reopened instead, keeping what
 * its log holds.
 */
import { readdir, stat, statfs } from "node:fs/promises"
import { join } from "node:path"
import { diskFault } from "../disk/DiskFault.ts"

type Callback = (error: unknown, value?: unknown) => void
type Operation = (...args: Array<unknown>) => unknown

/** The parts of dynalite's LevelDB (abstract-level, wrapped by dynalite with callbacks) this guard touches. */
interface GuardedLevel {
  readonly status: string
  open(): Promise<void>
  compactRange(start: string, end: string): Promise<void>
  /** dynalite replaces `close` with a graceful one for the whole store and keeps the LevelDB's own here. */
  readonly close: { readonly _original: () => Promise<void> }
  [operation: string]: unknown
}

export interface LevelGuard {
  /** The write failure the store has not recovered from yet (undefined when healthy). */
  readonly failure: () => unknown
  /** Reopens the store now if a write failed; resolves to whether it is healthy afterwards. */
  readonly recover: () => Promise<boolean>
}

export interface LevelGuardOptions {
  /** The LevelDB directory, to tell whether the disk has room to recover. */
  readonly path: string
  /** Told once per failed write that breaks the store, and once when it is healthy again. */
  readonly onBroken: (cause: unknown) => void
  readonly onRecovered: () => void
}

const callbackOperations = ["put", "del", "batch", "get"] as const
const writes: ReadonlySet<string> = new Set(["put", "del", "batch"])
const streams = ["createValueStream", "createKeyStream"] as const

/** dynalite answers an error with `statusCode` and `body` as a DynamoDB error response instead of throwing it. */
const isAnswerable = (error: unknown): boolean =>
  typeof error === "object" && error !== null &&
  ("statusCode" in error || (error as { name?: unknown }).name === "NotFoundError")

/** Marks `error` (in place: stream listeners share one object) as DynamoDB's InternalServerError. */
export const asInternalServerError = (error: unknown): Error => {
  const target = error instanceof Error ? error : new Error(String(error))
  const fault = diskFault(error)
  return Object.assign(target, {
    statusCode: 500,
    body: {
      __type: "com.amazonaws.dynamodb.v20120810#InternalServerError",
      message: `The metadata store failed: ${fault?.description ?? target.message}`
    }
  })
}

/**
 * The parts of dynalite's store (`dynalite/db/index.js`) the guard uses, stated here so that this
 * module's published types do not depend on our private declarations of dynalite (which has none).
 */
export interface GuardableStore {
  readonly db: unknown
  readonly lifecycleManager: { getState(): string }
}

/** Guards `store` for the rest of its life (its LevelDB's operations are wrapped in place). */
export const guardLevel = (store: GuardableStore, options: LevelGuardOptions): LevelGuard => {
  const level = store.db as unknown as GuardedLevel
  let failure: unknown
  let reopening: Promise<boolean> | undefined

  const shuttingDown = () => store.lifecycleManager.getState() !== "open"

  /** dynalite keeps its data under `table~`, `item-…`, `index-…`: this key is in none of them. */
  const probeKey = "~media-store-probe"
  const probe = () => {
    const put = level["put"] as (key: string, value: unknown) => Promise<void>
    const del = level["del"] as (key: string) => Promise<void>
    return put.call(level, probeKey, {}).then(() => del.call(level, probeKey))
  }

  /** Room for LevelDB to write its memory out as a table file (at most the size of its logs) and a new log. */
  const hasRoom = () =>
    Promise.all([
      statfs(options.path),
      readdir(options.path).then((names) =>
        Promise.all(names.filter((name) => name.endsWith(".log")).map((name) => stat(join(options.path, name)).then((info) => info.size)))
      )
    ]).then(([disk, logs]) => disk.bavail * disk.bsize >= 2 * logs.reduce((sum, size) => sum + size, 0) + 1024 * 1024)

  // Flush memory to a table file and a fresh log; a disk that refuses even then gets a reopen.
  const attempt = (): Promise<void> =>
    level.status !== "open"
      ? reopen()
      : hasRoom().then((room) =>
        room
          ? level.compactRange("\u0000", "\u0000").then(probe).catch(reopen)
          : Promise.reject(failure)
      )
  const reopen = () => level.close._original().then(() => level.open()).then(probe)

  const recover = (): Promise<boolean> => {
    if (failure === undefined) return Promise.resolve(true)
    if (shuttingDown()) return Promise.resolve(false)
    reopening ??= attempt()
      .then(() => {
        failure = undefined
        options.onRecovered()
        return true
      }, (error: unknown) => {
        failure = error
        return false
      })
      .finally(() => {
        reopening = undefined
      })
    return reopening
  }

  for (const name of callbackOperations) {
    const original = level[name] as Operation
    level[name] = (...args: Array<unknown>) => {
      const callback = args.at(-1)
      // dynalite passes a callback on every request path; anything else is left as it was.
      if (typeof callback !== "function") return original.apply(level, args)
      const run = () =>
        original.apply(level, [...args.slice(0, -1), (error: unknown, value?: unknown) => {
          if (error === undefined || error === null || isAnswerable(error)) return (callback as Callback)(error, value)
          if (writes.has(name) && failure === undefined && !shuttingDown()) {
            failure = error
            options.onBroken(error)
          }
          return (callback as Callback)(asInternalServerError(error))
        }])
      // Reads go on from memory while the store is broken (unless a reopen failed and closed it).
      if (failure === undefined || (!writes.has(name) && level.status === "open")) return run()
      void recover().then((healthy) => (healthy ? run() : (callback as Callback)(asInternalServerError(failure))))
    }
  }

  for (const name of streams) {
    const original = level[name] as Operation
    level[name] = (...args: Array<unknown>) => {
      const stream = original.apply(level, args) as NodeJS.EventEmitter
      // First listener: the error is marked before dynalite's own handler sees it.
      stream.on("error", asInternalServerError)
      return stream
    }
  }

  return { failure: () => failure, recover }
}
