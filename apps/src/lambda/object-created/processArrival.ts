/**
 * The one call from the object-created Lambda into the processing workflow: the single place to
 * change when the use case does (ProcessUpload.handleObjectCreated today).
 */
import { handleObjectCreated } from "@media/core/usecases/ProcessUpload"
import type { CreatedObject } from "@media/adapters/s3/S3Event"

/** Runs the workflow for one object of the media bucket; keys outside `originals/` are ignored by it. */
export const processArrival = (arrival: CreatedObject) => handleObjectCreated(arrival.key, arrival.size)
