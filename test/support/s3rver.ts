/**
 * An in-process s3rver on 127.0.0.1 (random port, temp directory) for tests,
 * with the S3 event notifications it emits captured for Lambda-style handlers.
 */
import type { S3ClientConfig } from "@aws-sdk/client-s3"
import { Context, Effect, Layer, Queue, Ref, type Scope } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** The slice of s3rver's API used here (the package ships no types). */
interface S3rverServer {
  run(): Promise<{ address: string; port: number }>
  close(): Promise<void>
  on(event: "event", listener: (notification: S3Notification) => void): void
}
type S3rverConstructor = new(options: Record<string, unknown>) => S3rverServer

/** What s3rver emits: `{ Records: [{ eventName, s3: { bucket: { name }, object: { key, size, ... } } }] }`. */
export type S3Notification = { readonly Records: ReadonlyArray<unknown> }

export interface S3rverInstance {
  /** e.g. http://127.0.0.1:40123 */
  readonly endpoint: string
  readonly bucket: string
  /** Where s3rver keeps its files. */
  readonly directory: string
  /** Ready for `new S3Client(...)` / `S3ObjectStore.layerClient`: endpoint, region, s3rver's fixed credentials. */
  readonly clientConfig: S3ClientConfig
  /** Every notification emitted so far, oldest first. */
  readonly events: Effect.Effect<ReadonlyArray<S3Notification>>
  /** Waits for the next notification not yet taken (each is taken once). */
  readonly takeEvent: Effect.Effect<S3Notification>
}

const S3rver = createRequire(import.meta.url)("s3rver") as S3rverConstructor

/** Starts s3rver with `bucket` created; it is stopped and its directory removed when the scope closes. */
export const startS3rver = (options: { readonly bucket?: string } = {}): Effect.Effect<S3rverInstance, never, Scope.Scope> =>
  Effect.gen(function*() {
    const bucket = options.bucket ?? "media"
    const directory = yield* Effect.acquireRelease(
      Effect.sync(() => mkdtempSync(join(tmpdir(), "s3rver-"))),
      (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
    )
    const seen = yield* Ref.make<ReadonlyArray<S3Notification>>([])
    const pending = yield* Queue.unbounded<S3Notification>()
    const server = new S3rver({
      port: 0,
      address: "127.0.0.1",
      silent: true,
      directory,
      configureBuckets: [{ name: bucket }]
    })
    server.on("event", (notification) => {
      Effect.runSync(Ref.update(seen, (all) => [...all, notification]))
      Queue.offerUnsafe(pending, notification)
    })
    const address = yield* Effect.acquireRelease(
      Effect.promise(() => server.run()),
      () => Effect.promise(() => server.close())
    )
    const endpoint = `http://127.0.0.1:${address.port}`
    return {
      endpoint,
      bucket,
      directory,
      clientConfig: {
        endpoint,
        region: "us-east-1",
        forcePathStyle: true,
        credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" }
      },
      events: Ref.get(seen),
      takeEvent: Queue.take(pending)
    }
  })

/** The running s3rver as a service, for `layer(S3rverTest.layer())` in @effect/vitest. */
export class S3rverTest extends Context.Service<S3rverTest, S3rverInstance>()("test/S3rverTest") {
  static readonly layer = (options: { readonly bucket?: string } = {}) => Layer.effect(S3rverTest, startS3rver(options))
}
