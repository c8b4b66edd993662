/**
 * Where each object of a file is stored. Originals live under their own prefix
 * so storage events for derivatives are recognised and ignored.
 */
import { Option, Schema } from "effect"
import { AccountId, FileId } from "./Ids.ts"

/** Where originals live (`originals/<account>/<file_id>`); storage events for other keys are ignored (SPEC §6). */
export const originalsPrefix = "originals/"

/** The key of a file's uploaded original: `originals/<account>/<file_id>`. */
export const originalKey = (accountId: AccountId, fileId: FileId): string =>
  `${originalsPrefix}${accountId}/${fileId}`

/** Derivatives are named by the attempt that made them, so a losing attempt never overwrites a winner's. */
export const imageKey = (accountId: AccountId, fileId: FileId, attempt: number): string =>
  `images/${accountId}/${fileId}/${attempt}.jpg`

/** The key of the thumbnail made by `attempt`: `thumbnails/<account>/<file_id>/<attempt>.jpg`. */
export const thumbnailKey = (accountId: AccountId, fileId: FileId, attempt: number): string =>
  `thumbnails/${accountId}/${fileId}/${attempt}.jpg`

/** The image and thumbnail keys of one attempt. */
export const derivativeKeys = (accountId: AccountId, fileId: FileId, attempt: number): ReadonlyArray<string> => [
  imageKey(accountId, fileId, attempt),
  thumbnailKey(accountId, fileId, attempt)
]

const decodeAccount = Schema.decodeUnknownOption(AccountId)
const decodeFileId = Schema.decodeUnknownOption(FileId)

/** The account and file of an originals key; none for any other key. */
export const parseOriginalKey = (key: string): Option.Option<{ accountId: AccountId; fileId: FileId }> => {
  if (!key.startsWith(originalsPrefix)) return Option.none()
  const rest = key.slice(originalsPrefix.length).split("/")
  if (rest.length !== 2) return Option.none()
  return Option.all({ accountId: decodeAccount(rest[0]), fileId: decodeFileId(rest[1]) })
}

const derivativeName = /^([1-9][0-9]{0,8})\.jpg$/

/**
 * The account, file and attempt of an image or thumbnail key (`images/<account>/<file_id>/<n>.jpg`,
 * `thumbnails/...`), exactly as `imageKey` / `thumbnailKey` write them; none for any other key.
 */
export const parseDerivativeKey = (
  key: string
): Option.Option<{ accountId: AccountId; fileId: FileId; attempt: number }> => {
  const parts = key.split("/")
  if (parts.length !== 4 || (parts[0] !== "images" && parts[0] !== "thumbnails")) return Option.none()
  const attempt = derivativeName.exec(parts[3]!)
  if (attempt === null) return Option.none()
  return Option.map(
    Option.all({ accountId: decodeAccount(parts[1]), fileId: decodeFileId(parts[2]) }),
    (ids) => ({ ...ids, attempt: Number(attempt[1]) })
  )
}
