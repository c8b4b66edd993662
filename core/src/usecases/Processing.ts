/**
 * The processing use cases as one service (SPEC §6): record and process
 * arrivals, drive a file, sweep due files. Built once from the ports, so every
 * caller (the embedded endpoint and dispatcher, the sweeper loop, start-up
 * recovery, the Lambda handlers) just `yield* Processing`.
 */
import { Context, Effect, Layer, Option } from "effect"
import type { FileRecord } from "../FileRecord.ts"
import type { AccountId, FileId } from "../Ids.ts"
import { MediaConfig } from "../MediaConfig.ts"
import type { ObjectArrived } from "../ObjectArrived.ts"
import type { FileRepository, RepositoryError } from "../ports/FileRepository.ts"
import type { ImageProcessor } from "../ports/ImageProcessor.ts"
import type { ObjectStore } from "../ports/ObjectStore.ts"
import { defaultMaxEntries, KnownRecords, make as makeKnownRecords } from "./KnownRecords.ts"
import { arrive, drive, driveKnown, type DriveResult, recordArrivalKnown, type WorkflowError } from "./ProcessUpload.ts"
import { type SweepOptions, type SweepResult, sweepDue } from "./SweepDue.ts"

/** The types of `Processing`'s operations, public with it (their modules are internal). */
export type { DriveResult, SweepOptions, SweepResult, WorkflowError }

/** The processing use cases (SPEC §6); see each member. */
export class Processing extends Context.Service<Processing, {
  /**
   * An original arrived: records it once (`ObjectCreated`), then processes the file as far as it goes.
   * Where the file stands afterwards; fails when the database or store cannot be reached (the file
   * stays due, or the event is redelivered).
   */
  arrive(arrival: ObjectArrived): Effect.Effect<DriveResult, WorkflowError>
  /**
   * An original arrived: records it only (an upload endpoint, before it acknowledges), so that a crash
   * afterwards leaves a due file. Process it with `drive`, which starts from the record written here
   * (handed over through KnownRecords, saving a read) instead of reading it again; the record upload-url
   * created, when handed over the same way, saves this step's read.
   */
  recordArrival(arrival: ObjectArrived): Effect.Effect<DriveResult, WorkflowError>
  /** Moves one file on as far as it can go (a dispatched job, start-up recovery). */
  drive(accountId: AccountId, fileId: FileId): Effect.Effect<DriveResult, WorkflowError>
  /** One sweep of the due files: each file as listed, with what became of it. */
  sweep(options?: SweepOptions): Effect.Effect<ReadonlyArray<readonly [FileRecord, SweepResult]>, RepositoryError>
}>()("core/Processing") {
  /** Captures the ports (and the MediaConfig in effect) when built. */
  static readonly layer: Layer.Layer<Processing, never, FileRepository | ObjectStore | ImageProcessor> = Layer.effect(
    Processing,
    Effect.gen(function*() {
      const ports = yield* Effect.context<FileRepository | ObjectStore | ImageProcessor>()
      const config = yield* MediaConfig
      const run = <A, E>(effect: Effect.Effect<A, E, FileRepository | ObjectStore | ImageProcessor>) =>
        effect.pipe(Effect.provideContext(ports), Effect.provideService(MediaConfig, config))
      // Records handed from step to step of one file (see KnownRecords): process-wide when the app provides
      // KnownRecords (upload-url → arrival → processing), else this service's own (arrival → processing).
      const known = Option.getOrElse(yield* Effect.serviceOption(KnownRecords), () => makeKnownRecords(defaultMaxEntries))
      return Processing.of({
        arrive: (arrival) => run(arrive(arrival)),
        recordArrival: (arrival) =>
          known.take(arrival.accountId, arrival.fileId).pipe(
            Effect.flatMap((hint) => run(recordArrivalKnown(arrival, hint))),
            Effect.tap(({ written }) => Option.isSome(written) ? known.put(written.value) : Effect.void),
            Effect.map(({ result }) => result)
          ),
        drive: (accountId, fileId) =>
          known.take(accountId, fileId).pipe(
            Effect.flatMap((hint) => run(Option.isSome(hint) ? driveKnown(hint.value) : drive(accountId, fileId)))
          ),
        sweep: (options) => run(sweepDue(options))
      })
    })
  )
}
