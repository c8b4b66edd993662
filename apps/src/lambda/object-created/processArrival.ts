/**
 * The one call from the object-created Lambda into the processing workflow: an object of the media
 * bucket becomes an `ObjectArrived` (keys outside `originals/` are not arrivals) for `Processing.arrive`.
 */
import { Effect, Option } from "effect"
import type { CreatedObject } from "@media-object-storage/adapters/s3/S3Event"
import { ObjectArrived } from "@media-object-storage/core/ObjectArrived"
import { Processing } from "@media-object-storage/core/usecases/Processing"

/** Where the file stands after its arrival was processed, or "ignored" for a key that is not an original. */
export const processArrival = Effect.fnUntraced(function*(object: CreatedObject) {
  const arrival = ObjectArrived.fromKey(object.key, object.size)
  if (Option.isNone(arrival)) return "ignored" as const
  return yield* (yield* Processing).arrive(arrival.value)
})
