/**
 * The one CloudFront Resource that covers a file's image and thumbnail and
 * nothing else: `<base>/*` + `/<account>/<file_id>/<attempt>.jpg`.
 */
import { Option } from "effect"
import { imageKey, thumbnailKey } from "@media/core/ObjectKeys"
import type { Derivatives } from "@media/core/ports/UrlSigner"
import { encodeKey } from "./CdnPath.ts"

export interface DerivativesResource {
  /** The policy's Resource: `*` stands for `images` or `thumbnails`. */
  readonly pattern: string
  /** The image's URL, without signing parameters. */
  readonly image: string
  /** The thumbnail's URL, without signing parameters. */
  readonly thumbnail: string
}

const attemptPattern = /^[1-9][0-9]{0,8}$/

/**
 * The Resource for `derivatives` under `baseUrl` (normalized, no trailing slash, no `*`); none unless the
 * two keys are exactly `images<tail>` and `thumbnails<tail>` with a wildcard-free tail.
 *
 * Why it opens nothing else: the tail is literal and names the account, the file id (a UUID, so no other
 * file's) and the attempt, each between slashes; every object key the service writes has four segments,
 * so the only keys ending in that tail are this attempt's image and thumbnail (an original,
 * `originals/<account>/<file_id>`, has no fourth segment). What `*` may add in front of the tail is at
 * most a query string (handled by the verifier and, on AWS, the distribution) or segments that no
 * stored key has.
 */
export const derivativesResource = (baseUrl: string, derivatives: Derivatives): Option.Option<DerivativesResource> => {
  const { accountId, attempt, fileId } = derivatives
  if (!attemptPattern.test(String(attempt))) return Option.none()
  const image = encodeKey(imageKey(accountId, fileId, attempt))
  const thumbnail = encodeKey(thumbnailKey(accountId, fileId, attempt))
  if (Option.isNone(image) || Option.isNone(thumbnail)) return Option.none()
  const tail = image.value.slice("images".length)
  if (
    !image.value.startsWith("images/") || thumbnail.value !== `thumbnails${tail}` ||
    tail.split("/").length !== 4 || /[*?]/.test(tail)
  ) return Option.none()
  return Option.some({
    pattern: `${baseUrl}/*${tail}`,
    image: `${baseUrl}/${image.value}`,
    thumbnail: `${baseUrl}/${thumbnail.value}`
  })
}
