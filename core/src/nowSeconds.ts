/**
 * The one clock of the use cases: UNIX seconds from Effect's `Clock`, so tests
 * move time with `TestClock` (SPEC §2: record times are UNIX seconds).
 */
import { Clock, Effect } from "effect"

/** The current time in whole UNIX seconds (rounded down). */
export const nowSeconds: Effect.Effect<number> = Effect.map(Clock.currentTimeMillis, (ms) => Math.floor(ms / 1000))
