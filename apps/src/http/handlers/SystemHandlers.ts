/**
 * Handlers of the `system` group: liveness always answers; readiness runs
 * the app's Readiness check (bounded, so a hung dependency reads as not ready).
 */
import { Cause, Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { apiError, NotReadyError } from "@media-object-storage/api/ApiErrors"
import { MediaApi } from "@media-object-storage/api/MediaApi"
import { Readiness } from "../Readiness.ts"

const ok = { status: "ok" } as const

export const SystemHandlers = HttpApiBuilder.group(
  MediaApi,
  "system",
  Effect.fn(function*(handlers) {
    const readiness = yield* Readiness
    return handlers.handleAll({
      healthz: () => Effect.succeed(ok),
      readyz: () =>
        readiness.check.pipe(
          Effect.timeout("5 seconds"),
          Effect.as(ok),
          Effect.catchCause((cause) =>
            Effect.logWarning("readiness check failed", cause).pipe(
              Effect.andThen(Effect.fail(apiError(NotReadyError, "service not ready")))
            )
          )
        )
    })
  })
)
