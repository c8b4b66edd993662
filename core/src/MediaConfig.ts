/**
 * Limits and timings of the service (SPEC §8, §9). A reference with the
 * documented defaults; apps override it from configuration.
 */
import { Context } from "effect"

/** Limits and timings of the service (SPEC §8, §9): sizes in bytes, durations in seconds. */
export interface MediaConfigShape {
  readonly maxUploadBytes: number
  readonly maxPixels: number
  /** Pre-signed upload targets expire after this long (15 minutes). */
  readonly uploadUrlTtlSeconds: number
  /** A file still uploading this long after its target expired fails `upload_expired`. */
  readonly uploadGraceSeconds: number
  /** Download and thumbnail URLs expire after this long (1 hour)... */
  readonly downloadUrlTtlSeconds: number
  /**
   * ...rounded up to a multiple of this, so repeated reads within it get the
   * very same URLs: browsers and CDNs cache them, and the signer can reuse them.
   */
  readonly downloadUrlGranularitySeconds: number
  /** How long one processing attempt may hold a file before another may retry it. */
  readonly leaseSeconds: number
  /** A file left `uploaded` this long (a lost event, a crash) is dispatched again by the sweeper. */
  readonly redispatchAfterSeconds: number
  /**
   * After a transient failure of the image work (a codec crash or hang) the next attempt waits this long,
   * doubled for each attempt made. Also the first back-off after the store or database was unavailable.
   */
  readonly retryDelaySeconds: number
  /**
   * While the object store or database is unavailable, processing waits `retryDelaySeconds` doubled
   * at each try, at most this long, for as long as the outage lasts: no attempt is used up and the
   * original is kept (SPEC §6).
   */
  readonly outageBackoffCapSeconds: number
}

/**
 * The documented defaults: uploads up to 25 MiB and 100 megapixels, 15-minute upload targets and grace,
 * 1-hour download URLs (60 s granularity), 5-minute leases, back-off from 15 s up to 30 minutes.
 */
export const defaultMediaConfig: MediaConfigShape = {
  maxUploadBytes: 26_214_400,
  maxPixels: 100_000_000,
  uploadUrlTtlSeconds: 15 * 60,
  uploadGraceSeconds: 15 * 60,
  downloadUrlTtlSeconds: 60 * 60,
  downloadUrlGranularitySeconds: 60,
  leaseSeconds: 5 * 60,
  redispatchAfterSeconds: 60,
  retryDelaySeconds: 15,
  outageBackoffCapSeconds: 30 * 60
}

/**
 * The configuration in effect: a `Context.Reference` defaulting to `defaultMediaConfig`; provide another
 * to change it. `MediaFiles.layer` and `Processing.layer` capture it when built.
 */
export const MediaConfig = Context.Reference<MediaConfigShape>("core/MediaConfig", {
  defaultValue: () => defaultMediaConfig
})
