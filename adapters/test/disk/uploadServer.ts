/**
 * A real HTTP server on 127.0.0.1 (random port) serving the upload endpoint,
 * with a disk store whose upload targets point at it, and every arrival it
 * reports captured.
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Context, Effect, Layer, Ref } from "effect"
import { HttpRouter, HttpServer } from "effect/http"
import { createServer } from "node:http"
import { layer as diskLayer } from "../../src/disk/DiskObjectStore.ts"
import { uploadRoutes } from "../../src/disk/DiskUploadEndpoint.ts"
import type { ObjectArrived } from "@media-object-storage/core/ObjectArrived"
import { StoreRoot, testCredentials } from "./testStore.ts"

export const maxUploadBytes = 1024 * 1024
export const allowedOrigin = "https://pos.example.com"

export class CapturedEvents
  extends Context.Service<CapturedEvents, Ref.Ref<ReadonlyArray<ObjectArrived>>>()("test/CapturedEvents")
{
  static readonly layer = Layer.effect(CapturedEvents, Ref.make<ReadonlyArray<ObjectArrived>>([]))
}

/** How many of the next arrivals fail to be recorded, as a store that cannot record them would. */
export class FailingEvents extends Context.Service<FailingEvents, Ref.Ref<number>>()("test/FailingEvents") {
  static readonly layer = Layer.effect(FailingEvents, Ref.make(0))
}

export class ServerUrl extends Context.Service<ServerUrl, string>()("test/ServerUrl") {}

const Server = Layer.unwrap(Effect.gen(function*() {
  const root = yield* StoreRoot
  const captured = yield* CapturedEvents
  const failing = yield* FailingEvents
  const routes = uploadRoutes({
    root,
    bucket: "media",
    credentials: testCredentials,
    maxUploadBytes,
    corsOrigins: [allowedOrigin],
    onObjectArrived: (event) =>
      Ref.getAndUpdate(failing, (n) => Math.max(0, n - 1)).pipe(
        Effect.flatMap((n) =>
          n > 0 ? Effect.fail(new Error("cannot record the upload")) : Ref.update(captured, (all) => [...all, event])
        )
      )
  })
  return HttpRouter.serve(routes, { disableLogger: true, disableListenLog: true }).pipe(
    Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))
  )
}))

const UrlAndStore = Layer.unwrap(Effect.gen(function*() {
  const server = yield* HttpServer.HttpServer
  const root = yield* StoreRoot
  const port = "port" in server.address ? server.address.port : 0
  const url = `http://127.0.0.1:${port}`
  return Layer.merge(
    Layer.succeed(ServerUrl, url),
    diskLayer({ root, publicUrl: url, bucket: "media", credentials: testCredentials })
  )
}))

export const UploadServerLayer = UrlAndStore.pipe(
  Layer.provideMerge(Server),
  Layer.provideMerge(Layer.mergeAll(StoreRoot.layer, CapturedEvents.layer, FailingEvents.layer)),
  Layer.orDie
)
