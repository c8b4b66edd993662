/**
 * SPEC §6 on the DynamoDB adapter: duplicated, reordered and concurrent events,
 * sweeps and expired leases end every file where one delivery would, with only
 * the winning attempt's derivatives stored and nothing else left behind.
 */
import { assert, describe, layer } from "@effect/vitest"
import { type Context, Duration, Effect, Fiber, Layer, Option } from "effect"
import * as fc from "fast-check"
import * as DynaliteFileRepository from "@media-object-storage/adapters/dynamodb/DynaliteFileRepository"
import type { FailureReason, FileStatus } from "@media-object-storage/core/FileRecord"
import { invariantViolations, maxAttempts } from "@media-object-storage/core/FileState"
import type { AccountId, FileId } from "@media-object-storage/core/Ids"
import { defaultMediaConfig, MediaConfig } from "@media-object-storage/core/MediaConfig"
import { makeMemoryImageProcessor } from "@media-object-storage/core/memory/MemoryImageProcessor"
import { imageKey, thumbnailKey } from "@media-object-storage/core/ObjectKeys"
import { FileIds } from "@media-object-storage/core/ports/FileIds"
import type { FileRepository } from "@media-object-storage/core/ports/FileRepository"
import { ImageProcessor } from "@media-object-storage/core/ports/ImageProcessor"
import { ObjectStore } from "@media-object-storage/core/ports/ObjectStore"
import { freshAccount, objectsOf, pngHeader, recordOf, uploadedFile } from "./support/files.ts"
import { layerRecordingMemory, presentUnder } from "./support/RecordingStore.ts"
import { TimeJump, withShiftedClock } from "./support/ShiftedClock.ts"
import { handleObjectCreated, sweepDue } from "../../core/test/usecases/processing.ts"

const config = { ...defaultMediaConfig, maxUploadBytes: 4096, leaseSeconds: 60, redispatchAfterSeconds: 60 }

/** What the bytes are, and where one delivery takes them. */
const kinds = {
  good: { bytes: () => pngHeader(640, 480), status: "ready" },
  pdf: { bytes: () => new TextEncoder().encode("%PDF-1.7\n%hostile\n"), status: "failed", reason: "unsupported_format" },
  corrupt: { bytes: () => pngHeader(0, 480), status: "failed", reason: "corrupt_image" },
  bomb: { bytes: () => pngHeader(60_000, 60_000), status: "failed", reason: "too_many_pixels" },
  oversize: { bytes: () => pngHeader(10, 10, 5000), status: "failed", reason: "too_large" }
} satisfies Record<string, { bytes: () => Uint8Array; status: FileStatus; reason?: FailureReason }>
type Kind = keyof typeof kinds

type Step =
  | { readonly _tag: "created"; readonly file: number; readonly copies: number; readonly withSize: boolean }
  | { readonly _tag: "sweep" }

const actionArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ _tag: fc.constant("created" as const), file: fc.nat(), copies: fc.integer({ min: 1, max: 3 }), withSize: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ _tag: "sweep" as const }) }
)
/** A step starts `atMs` into its wave, so deliveries and sweeps overlap attempts in flight. */
const stepArb = fc.record({ atMs: fc.integer({ min: 0, max: 40 }), action: actionArb })
type TimedStep = typeof stepArb extends fc.Arbitrary<infer A> ? A : never

const scheduleArb = fc.record({
  kinds: fc.array(fc.oneof(fc.constant<Kind>("good"), fc.constantFrom(...(Object.keys(kinds) as Array<Kind>))), {
    minLength: 20,
    maxLength: 30
  }),
  // Steps of a wave run all at once; waves run one after another.
  waves: fc.array(fc.array(stepArb, { minLength: 1, maxLength: 25 }), { minLength: 2, maxLength: 5 }),
  delaysMs: fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 16 }),
  /**
   * Processor calls that stall past their lease: time jumps, and the sweeper
   * starts another attempt while the stalled one is still running — awaited
   * (the new attempt finishes first) or not (the stalled one sleeps `stallMs`
   * and either may finish first). At most two, so a
   * third attempt always completes and single-delivery outcomes still hold.
   */
  stalls: fc.uniqueArray(fc.record({ call: fc.nat({ max: 8 }), awaitSweep: fc.boolean(), stallMs: fc.integer({ min: 0, max: 150 }) }), {
    minLength: 1,
    maxLength: 2,
    selector: (s) => s.call
  })
})
type Schedule = typeof scheduleArb extends fc.Arbitrary<infer A> ? A : never

/** The memory processor, with a delay per call from the schedule, and the schedule's stalls. */
const makeProcessor = (schedule: Schedule) =>
  Effect.gen(function*() {
    const inner = yield* makeMemoryImageProcessor()
    const context = yield* Effect.context<FileRepository | ObjectStore | TimeJump>()
    const stalls = new Map(schedule.stalls.map((s) => [s.call, s]))
    const background: Array<Fiber.Fiber<unknown, unknown>> = []
    let calls = 0
    const processor: Context.Service.Shape<typeof ImageProcessor> = ImageProcessor.of({
      process: (bytes, options) =>
        Effect.suspend(() => {
          const call = calls++
          const delay = Effect.sleep(Duration.millis(schedule.delaysMs[call % schedule.delaysMs.length]!))
          const stall = stalls.get(call)
          if (stall === undefined) return delay.pipe(Effect.andThen(inner.process(bytes, options)))
          const expire = TimeJump.use((t) => t.jump(config.leaseSeconds + 1)).pipe(
            Effect.andThen(sweepDue()),
            Effect.provideService(ImageProcessor, processor),
            Effect.provideService(MediaConfig, config),
            Effect.provideContext(context),
            Effect.orDie
          )
          const takeover = stall.awaitSweep
            ? Effect.asVoid(expire)
            : Effect.map(Effect.forkDetach(expire), (fiber) => void background.push(fiber)).pipe(
              Effect.andThen(Effect.sleep(Duration.millis(stall.stallMs)))
            )
          return takeover.pipe(Effect.andThen(delay), Effect.andThen(inner.process(bytes, options)))
        })
    })
    const drain = Effect.suspend(() => Effect.forEach(background.splice(0), Fiber.join, { discard: true }))
    return { processor, drain }
  })

const runSchedule = (schedule: Schedule) =>
  Effect.gen(function*() {
    const account = freshAccount()
    const files = yield* Effect.forEach(schedule.kinds, (kind) =>
      Effect.map(uploadedFile(account, kinds[kind].bytes()), (file) => ({ ...file, kind })))
    const { drain, processor } = yield* makeProcessor(schedule)
    const act = (step: Step) => {
      switch (step._tag) {
        case "created": {
          const file = files[step.file % files.length]!
          const deliver = handleObjectCreated(file.key, step.withSize ? file.size : undefined)
          return Effect.all(Array.from({ length: step.copies }, () => deliver), { concurrency: "unbounded", discard: true })
        }
        case "sweep":
          return Effect.asVoid(sweepDue())
      }
    }
    const run = (step: TimedStep) => Effect.sleep(Duration.millis(step.atMs)).pipe(Effect.andThen(act(step.action)))
    yield* Effect.gen(function*() {
      for (const wave of schedule.waves) {
        yield* Effect.forEach(wave, run, { concurrency: "unbounded", discard: true })
      }
      yield* drain
      // At least once: every file's event is delivered one more time, alongside a sweep.
      yield* Effect.all([
        Effect.forEach(files, (file) => handleObjectCreated(file.key), { concurrency: "unbounded", discard: true }),
        sweepDue()
      ], { concurrency: "unbounded", discard: true })
      yield* drain
    }).pipe(Effect.provideService(ImageProcessor, processor))
    yield* checkOutcome(account, files)
  }).pipe(withShiftedClock)

const checkOutcome = (account: AccountId, files: ReadonlyArray<{ fileId: FileId; kind: Kind }>) =>
  Effect.gen(function*() {
    const store = yield* ObjectStore
    const expectedKeys: Array<string> = []
    for (const { fileId, kind } of files) {
      const record = yield* recordOf(account, fileId)
      assert.isDefined(record, `${fileId} (${kind}) lost its record`)
      if (record === undefined) return
      const expected = kinds[kind]
      const where = `${fileId} (${kind}) after ${record.attempts} attempts`
      assert.strictEqual(record.status, expected.status, where)
      assert.strictEqual(record.failureReason, "reason" in expected ? expected.reason : undefined, where)
      assert.deepStrictEqual(invariantViolations(record), [], where)
      assert.isAtLeast(record.attempts, 1, where)
      assert.isAtMost(record.attempts, maxAttempts, where)
      const winner = record.status === "ready"
        ? [imageKey(account, fileId, record.attempts), thumbnailKey(account, fileId, record.attempts)].sort()
        : []
      assert.deepStrictEqual(yield* objectsOf(account, fileId), winner, where)
      if (record.status === "ready") {
        const image = yield* store.head(imageKey(account, fileId, record.attempts))
        assert.strictEqual(Option.getOrThrow(image).size, record.fileSize, where)
      }
      expectedKeys.push(...winner)
    }
    // Nothing under the account beyond the winners' derivatives (no stray originals or keys).
    const everything = (yield* Effect.all([
      presentUnder(`originals/${account}/`),
      presentUnder(`images/${account}/`),
      presentUnder(`thumbnails/${account}/`)
    ])).flat().sort()
    assert.deepStrictEqual(everything, expectedKeys.sort())
  })

const Ports = Layer.mergeAll(DynaliteFileRepository.layerDynalite(), layerRecordingMemory, FileIds.layer)

describe("processing races on DynamoDB (dynalite)", () => {
  layer(Ports, { excludeTestServices: true, timeout: 60_000 })((it) => {
    it.effect("random duplicated, reordered, concurrent events and sweeps end where one delivery would", () =>
      Effect.gen(function*() {
        const context = yield* Effect.context<Layer.Success<typeof Ports>>()
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(scheduleArb, (schedule) =>
              Effect.runPromise(
                runSchedule(schedule).pipe(Effect.provideService(MediaConfig, config), Effect.provideContext(context))
              )),
            { numRuns: 6, endOnFailure: true }
          )
        )
      }), 60_000)
  })
})
