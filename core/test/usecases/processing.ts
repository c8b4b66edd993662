/**
 * The processing use cases as tests drive them: by object key, as storage
 * reports it, through a `Processing` built per call from the ports in context
 * (so a test's per-call port overrides reach it, as a fresh process would).
 */
import { Effect, Option } from "effect"
import type { AccountId, FileId } from "../../src/Ids.ts"
import { ObjectArrived } from "../../src/ObjectArrived.ts"
import { parseOriginalKey } from "../../src/ObjectKeys.ts"
import { Processing } from "../../src/usecases/Processing.ts"
import type { DriveResult } from "../../src/usecases/ProcessUpload.ts"
import type { SweepOptions } from "../../src/usecases/SweepDue.ts"

/** Runs `f` on a Processing built now from the ports in context. */
export const withProcessing = <A, E, R>(f: (processing: Processing["Service"]) => Effect.Effect<A, E, R>) =>
  Processing.use(f).pipe(Effect.provide(Processing.layer))

/**
 * What an edge does with storage's report of an object under `key`: an arrival of `size` bytes, or
 * (size unknown) a run of the workflow, which looks in storage itself. "ignored" for other keys.
 */
export const handleObjectCreated = (key: string, size?: number) =>
  Option.match(parseOriginalKey(key), {
    onNone: () => Effect.succeed<DriveResult | "ignored">("ignored"),
    onSome: ({ accountId, fileId }) => driveFile(accountId, fileId, size)
  })

/** The file's workflow, after an arrival of `size` bytes when given. */
export const driveFile = (accountId: AccountId, fileId: FileId, size?: number) =>
  withProcessing((processing) =>
    size === undefined ? processing.drive(accountId, fileId) : processing.arrive(new ObjectArrived({ accountId, fileId, size }))
  )

/** What the embedded endpoint does before answering: records the arrival; "ignored" for other keys. */
export const registerUpload = (key: string, size: number) =>
  Option.match(ObjectArrived.fromKey(key, size), {
    onNone: () => Effect.succeed<DriveResult | "ignored">("ignored"),
    onSome: (arrival) => withProcessing((processing) => processing.recordArrival(arrival))
  })

/** One sweep through the service. */
export const sweepDue = (options?: SweepOptions) => withProcessing((processing) => processing.sweep(options))
