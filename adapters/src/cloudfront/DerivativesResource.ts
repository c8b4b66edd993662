/**
 * The one CloudFront Resource that covers a file's image and thumbnail and
 * nothing else: `<base>/*` + `/<account>/<file_id>/<attempt>.jpg`.
 */
import { Option } from "effect"
import { imageKey, thumbnailKey } from "@media-object-storage/core/ObjectKeys"
import type { Derivatives } from "@media-object-storage/core/ports/UrlSigner"

export interface DerivativesResource {
  /** The policy's Resource: `*` stands for `images` or `thumbnails`. */
  readonly pattern: string
  /** The image's URL, without signing parameters. */
  readonly image: string
  /** The thumbnail's URL, without signing parameters. */
  readonly thumbnail: string
}

const attemptPattern = /^[1-9][0-9]{0,8}$/
/** Characters `encodeURIComponent` leaves as they are and that are no wildcard: the segment is its own URL path. */
const plainSegment = /^[A-Za-z0-9._~-]+$/
const isPlain = (segment: string) => plainSegment.test(segment) && segment !== "." && segment !== ".."

/**
 * The Resource for `derivatives` under `baseUrl` (normalized, no trailing slash, no `*`); none unless the
 * two keys are exactly `images<tail>` and `thumbnails<tail>` with a tail a URL carries as is (account and
 * file id of unreserved characters, as `AccountId` and `FileId` are; no `*`, `?` or `/` in them).
 *
 * Why it opens nothing else: the tail is literal and names the account, the file id (a UUID, so no other
 * file's) and the attempt, each between slashes; every object key the service writes has four segments,
 * so the only keys ending in that tail are this attempt's image and thumbnail (an original,
 * `originals/<account>/<file_id>`, has no fourth segment). What `*` may add in front of the tail is at
 * most a query string (refused by the verifier and, on AWS, by the distribution) or segments that no
 * stored key has.
 */
export const derivativesResource = (baseUrl: string, derivatives: Derivatives): Option.Option<DerivativesResource> => {
  const { accountId, attempt, fileId } = derivatives
  if (!attemptPattern.test(String(attempt)) || !isPlain(accountId) || !isPlain(fileId)) return Option.none()
  const tail = `/${accountId}/${fileId}/${attempt}.jpg`
  // The keys are core's (ObjectKeys); the tail must be theirs, or the policy would cover something else.
  const image = imageKey(accountId, fileId, attempt)
  const thumbnail = thumbnailKey(accountId, fileId, attempt)
  if (image !== `images${tail}` || thumbnail !== `thumbnails${tail}`) return Option.none()
  return Option.some({ pattern: `${baseUrl}/*${tail}`, image: `${baseUrl}/${image}`, thumbnail: `${baseUrl}/${thumbnail}` })
}
