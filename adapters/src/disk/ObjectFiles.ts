/**
 * How object keys map to files under the store's root, shared by the disk
 * store and its upload endpoint: key validation (no escaping the root), the
 * content-type sidecar, and atomic writes (temp file in the same directory + rename).
 */
import { Effect, FileSystem, Random, Result } from "effect"
import * as Path from "node:path"

export interface ObjectFiles {
  /** The object's bytes. */
  readonly data: string
  /** `{ "contentType": ... }`, next to the bytes; a dot-file, so no key can name it. */
  readonly meta: string
  readonly dir: string
  /** Prefix of this object's temp files (dot-files too). */
  readonly tempPrefix: string
}

/** S3's own limit on key length, in UTF-8 bytes. */
const maxKeyBytes = 1024

/**
 * Checks `key` and returns its files, or why the key is refused. Segments may
 * not be empty, start with a dot (which also refuses `.` and `..`, and keeps the
 * store's own sidecar and temp files out of reach), or hold `\`, NUL or other
 * control characters; and whatever passes must still resolve inside `root`.
 */
export const objectFiles = (root: string, key: string): Result.Result<ObjectFiles, string> => {
  if (key.length === 0) return Result.fail("the key is empty")
  if (Buffer.byteLength(key, "utf8") > maxKeyBytes) return Result.fail(`the key is longer than ${maxKeyBytes} bytes`)
  if (key.startsWith("/")) return Result.fail("the key is absolute")
  if (/[\\\u0000-\u001f\u007f]/.test(key)) return Result.fail("the key contains a backslash or a control character")
  const segments = key.split("/")
  if (segments.some((segment) => segment.length === 0)) return Result.fail("the key has an empty path segment")
  if (segments.some((segment) => segment.startsWith("."))) return Result.fail("a key path segment starts with a dot")
  const base = Path.resolve(root)
  const data = Path.resolve(base, ...segments)
  if (!data.startsWith(base + Path.sep)) return Result.fail("the key resolves outside the store")
  const dir = Path.dirname(data)
  const name = Path.basename(data)
  return Result.succeed({
    data,
    meta: Path.join(dir, `.${name}.meta.json`),
    dir,
    tempPrefix: Path.join(dir, `.${name}.`)
  })
}

/** A fresh temp path for `files`; random so concurrent writers of one key never share one. */
export const tempPath = (files: ObjectFiles): Effect.Effect<string> =>
  Effect.map(Random.nextIntBetween(0, 2 ** 48), (n) => `${files.tempPrefix}${n.toString(36)}.tmp`)

const encoder = new TextEncoder()

/** Writes `bytes` to `target` so readers see the old content or the new, never a torn file. */
export const writeAtomically = (fs: FileSystem.FileSystem, files: ObjectFiles, target: string, bytes: Uint8Array) =>
  Effect.gen(function*() {
    const temp = yield* tempPath(files)
    yield* fs.writeFile(temp, bytes, { flag: "wx" }).pipe(
      Effect.andThen(fs.rename(temp, target)),
      Effect.onError(() => Effect.ignore(fs.remove(temp, { force: true })))
    )
  })

/**
 * Makes a fully written temp file the object. The sidecar goes first, so
 * whenever the bytes are visible their content type is too.
 */
export const commitObject = (fs: FileSystem.FileSystem, files: ObjectFiles, temp: string, contentType: string) =>
  Effect.gen(function*() {
    yield* writeAtomically(fs, files, files.meta, encoder.encode(JSON.stringify({ contentType })))
    yield* fs.rename(temp, files.data)
  })
