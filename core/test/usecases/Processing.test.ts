/**
 * The Processing service through its layer on the memory ports: one arrival
 * path (recorded once, then processed from the record written), and ports and
 * configuration captured when the layer is built.
 */
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer, Option } from "effect"
import type { FileStatus } from "../../src/FileRecord.ts"
import { defaultMediaConfig, MediaConfig } from "../../src/MediaConfig.ts"
import { layerMemory } from "../../src/memory/layerMemory.ts"
import { ObjectArrived } from "../../src/ObjectArrived.ts"
import { imageKey, originalKey } from "../../src/ObjectKeys.ts"
import { FileRepository } from "../../src/ports/FileRepository.ts"
import { ImageProcessor } from "../../src/ports/ImageProcessor.ts"
import { ObjectStore } from "../../src/ports/ObjectStore.ts"
import { KnownRecords } from "../../src/usecases/KnownRecords.ts"
import { Processing } from "../../src/usecases/Processing.ts"
import { freshAccount, freshFileId, png } from "../fixtures.ts"
import { advance, atStart, deleteFile, leftovers, start, upload, uploaded } from "./helpers.ts"

const ProcessingMemory = Processing.layer.pipe(Layer.provideMerge(layerMemory()))

const arrivalOf = (key: string, size: number) => Option.getOrThrow(ObjectArrived.fromKey(key, size))

const recordOf = (key: string) =>
  Effect.gen(function*() {
    const { accountId, fileId } = arrivalOf(key, 0)
    return Option.getOrThrow(yield* (yield* FileRepository).get(accountId, fileId))
  })

describe("ObjectArrived.fromKey", () => {
  it("is the account, file and size of an originals key, and none for any other key or a bad size", () => {
    const account = freshAccount()
    const fileId = freshFileId()
    const arrival = ObjectArrived.fromKey(originalKey(account, fileId), 12)
    assert.deepStrictEqual(Option.map(arrival, (a) => [a._tag, a.accountId, a.fileId, a.size]), Option.some(["ObjectArrived", account, fileId, 12]))
    for (const key of [imageKey(account, fileId, 1), `originals/${account}`, `originals/${account}/${fileId}/x`, `x/${originalKey(account, fileId)}`]) {
      assert.isTrue(Option.isNone(ObjectArrived.fromKey(key, 12)), key)
    }
    for (const size of [-1, 1.5, Number.NaN]) assert.isTrue(Option.isNone(ObjectArrived.fromKey(originalKey(account, fileId), size)), String(size))
  })
})

describe("Processing", () => {
  it.effect("arrive records the arrival once, then processes the file from the record it wrote", () =>
    Effect.gen(function*() {
      yield* atStart
      const account = freshAccount()
      const { key } = yield* uploaded(account, png(10, 10, 40))
      const repo = yield* FileRepository
      const written: Array<FileStatus> = []
      const recording = Layer.succeed(FileRepository, {
        ...repo,
        transition: (next, expected) => Effect.tap(repo.transition(next, expected), () => Effect.sync(() => void written.push(next.status)))
      })
      const arrive = Processing.use((processing) => processing.arrive(arrivalOf(key, 40))).pipe(
        Effect.provide(Processing.layer.pipe(Layer.provide(recording)))
      )
      assert.strictEqual(yield* arrive, "ready")
      // uploaded (the arrival), processing, ready, ready (clean-up recorded): the arrival once.
      assert.deepStrictEqual(written, ["uploaded", "processing", "ready", "ready"])
      const record = yield* recordOf(key)
      assert.deepStrictEqual([record.status, record.attempts, record.updatedAt], ["ready", 1, start])
      assert.isTrue(Option.isNone(yield* (yield* ObjectStore).head(key)))
    }).pipe(Effect.provide(layerMemory())))

  it.effect("recordArrival makes the file uploaded and due without processing it; drive then processes it", () =>
    Effect.gen(function*() {
      yield* atStart
      const processing = yield* Processing
      const { key } = yield* uploaded(freshAccount(), png(10, 10, 40))
      const arrival = arrivalOf(key, 40)
      assert.strictEqual(yield* processing.recordArrival(arrival), "uploaded")
      const recorded = yield* recordOf(key)
      assert.deepStrictEqual([recorded.fileSize, recorded.dueAt], [40, start + defaultMediaConfig.redispatchAfterSeconds])
      assert.strictEqual(yield* processing.drive(arrival.accountId, arrival.fileId), "ready")
    }).pipe(Effect.provide(ProcessingMemory)))

  it.effect("drive after recordArrival starts from the record the arrival wrote: one metadata read per upload", () =>
    Effect.gen(function*() {
      yield* atStart
      const { key } = yield* uploaded(freshAccount(), png(10, 10, 40))
      const repo = yield* FileRepository
      let reads = 0
      const counting = Layer.succeed(FileRepository, {
        ...repo,
        get: (accountId, fileId) => Effect.tap(repo.get(accountId, fileId), () => Effect.sync(() => void reads++))
      })
      const arrival = arrivalOf(key, 40)
      const [recorded, driven] = yield* Effect.gen(function*() {
        const processing = yield* Processing
        return [yield* processing.recordArrival(arrival), yield* processing.drive(arrival.accountId, arrival.fileId)] as const
      }).pipe(Effect.provide(Processing.layer.pipe(Layer.provide(counting))))
      assert.deepStrictEqual([recorded, driven, reads], ["uploaded", "ready", 1])
    }).pipe(Effect.provide(layerMemory())))

  it.effect("drive after recordArrival still finishes the file when the handed-over record went stale", () =>
    Effect.gen(function*() {
      yield* atStart
      const processing = yield* Processing
      const repo = yield* FileRepository
      const { key } = yield* uploaded(freshAccount(), png(10, 10, 40))
      const arrival = arrivalOf(key, 40)
      assert.strictEqual(yield* processing.recordArrival(arrival), "uploaded")
      // Another writer moved the record on (same status, new version) before the drive.
      const current = yield* recordOf(key)
      yield* repo.transition({ ...current, version: current.version + 1 }, current.version)
      assert.strictEqual(yield* processing.drive(arrival.accountId, arrival.fileId), "ready")
      assert.deepStrictEqual([(yield* recordOf(key)).status, (yield* recordOf(key)).attempts], ["ready", 1])
    }).pipe(Effect.provide(ProcessingMemory)))

  it.effect("with a process-wide KnownRecords, upload-url, the arrival and its processing read no record at all", () =>
    Effect.gen(function*() {
      yield* atStart
      const repo = yield* FileRepository
      let reads = 0
      const counting = Layer.succeed(FileRepository, {
        ...repo,
        get: (accountId, fileId) => Effect.tap(repo.get(accountId, fileId), () => Effect.sync(() => void reads++))
      })
      const known = KnownRecords.layer()
      const result = yield* Effect.gen(function*() {
        const { key } = yield* uploaded(freshAccount(), png(10, 10, 40))
        const arrival = arrivalOf(key, 40)
        const processing = yield* Processing
        return [yield* processing.recordArrival(arrival), yield* processing.drive(arrival.accountId, arrival.fileId)]
      }).pipe(Effect.provide(Processing.layer.pipe(Layer.provideMerge(Layer.merge(counting, known)))))
      assert.deepStrictEqual([...result, reads], ["uploaded", "ready", 0])
    }).pipe(Effect.provide(layerMemory())))

  it.effect("an arrival whose handed-over record is stale is decided on the record as stored: a deleted file keeps nothing", () =>
    Effect.gen(function*() {
      yield* atStart
      const account = freshAccount()
      const [result, left] = yield* Effect.gen(function*() {
        const { key, fileId } = yield* uploaded(account, png(10, 10, 40))
        // Deleted after upload-url handed its record over, before the upload arrived.
        yield* deleteFile(account, fileId)
        yield* (yield* ObjectStore).put(key, png(10, 10, 40), "image/png")
        const result = yield* Processing.use((processing) => processing.recordArrival(arrivalOf(key, 40)))
        return [result, yield* leftovers(account, fileId)] as const
      }).pipe(Effect.provide(Processing.layer.pipe(Layer.provideMerge(KnownRecords.layer()))))
      assert.deepStrictEqual([result, left], ["gone", []])
    }).pipe(Effect.provide(layerMemory())))

  it.effect("an arrival whose handed-over record is stale still records the upload once", () =>
    Effect.gen(function*() {
      yield* atStart
      const [first, again, record] = yield* Effect.gen(function*() {
        const { key } = yield* uploaded(freshAccount(), png(10, 10, 40))
        const arrival = arrivalOf(key, 40)
        const processing = yield* Processing
        // Another delivery of the same arrival recorded it first, through another process (no hand-off).
        const other = yield* Processing.layer.pipe(Layer.build, Effect.map(Context.get(Processing)))
        const first = yield* other.recordArrival(arrival)
        const again = yield* processing.recordArrival(arrival)
        return [first, again, yield* recordOf(key)] as const
      }).pipe(Effect.provide(Processing.layer.pipe(Layer.provideMerge(KnownRecords.layer()))), Effect.scoped)
      assert.deepStrictEqual([first, again, record.status, record.version], ["uploaded", "uploaded", "uploaded", 1])
    }).pipe(Effect.provide(layerMemory())))

  it.effect("drive leaves a file uploading while storage holds no original, and reports a missing file gone", () =>
    Effect.gen(function*() {
      const processing = yield* Processing
      const ticket = yield* upload(freshAccount())
      const { accountId, fileId } = arrivalOf(ticket.fields["key"]!, 0)
      assert.strictEqual(yield* processing.drive(accountId, fileId), "uploading")
      assert.strictEqual(yield* processing.drive(accountId, freshFileId()), "gone")
    }).pipe(Effect.provide(ProcessingMemory)))

  it.effect("sweep moves due files on: an upload whose event was lost is processed", () =>
    Effect.gen(function*() {
      yield* atStart
      const processing = yield* Processing
      const { fileId } = yield* uploaded(freshAccount(), png(10, 10))
      assert.deepStrictEqual(yield* processing.sweep(), [])
      yield* advance(defaultMediaConfig.uploadUrlTtlSeconds + defaultMediaConfig.uploadGraceSeconds)
      assert.deepStrictEqual((yield* processing.sweep()).map(([r, result]) => [r.fileId, result]), [[fileId, "ready"]])
    }).pipe(Effect.provide(ProcessingMemory)))

  it.effect("uses the ports and configuration it was built with, whatever a caller provides later", () =>
    Effect.gen(function*() {
      const processing = yield* Processing
      const small = yield* uploaded(freshAccount(), png(10, 10, 40))
      const large = yield* uploaded(freshAccount(), png(10, 10, 200))
      const broken = ImageProcessor.of({ process: () => Effect.die("not the processor the layer was built with") })
      const later = <A, E>(effect: Effect.Effect<A, E>) =>
        effect.pipe(Effect.provideService(ImageProcessor, broken), Effect.provideService(MediaConfig, defaultMediaConfig))
      assert.strictEqual(yield* later(processing.arrive(arrivalOf(small.key, 40))), "ready")
      // Built with a 100-byte limit: the 200-byte original fails too_large.
      assert.strictEqual(yield* later(processing.arrive(arrivalOf(large.key, 200))), "failed")
      assert.strictEqual((yield* recordOf(large.key)).failureReason, "too_large")
    }).pipe(
      Effect.provide(Processing.layer.pipe(
        Layer.provide(Layer.succeed(MediaConfig, { ...defaultMediaConfig, maxUploadBytes: 100 })),
        Layer.provideMerge(layerMemory())
      ))
    ))
})
