/**
 * The floor under `GET /v1/media/{id}`: Effect's HTTP stack answering the same
 * JSON bytes with none of our work, one layer at a time (BENCH_FLOOR):
 * - `router`: HttpRouter route on the same Node server `serve()` builds;
 * - `router+middleware`: plus our router-wide RequestMiddleware (request id,
 *   CORS, error bodies; access log off).
 * Sends `{ port }` to the parent over IPC.
 */
import { readFileSync } from "node:fs"
import { Effect, Layer, Logger, References } from "effect"
import { HttpRouter, HttpServer, HttpServerResponse } from "effect/http"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { serve } from "../../apps/src/http/HttpApp.ts"
import { defaultHttpConfig, HttpConfig } from "../../apps/src/http/HttpConfig.ts"
import { RequestMiddleware } from "../../apps/src/http/RequestMiddleware.ts"

const body = readFileSync(process.env.BENCH_BODY_FILE ?? "/dev/null")
const floor = process.env.BENCH_FLOOR ?? "router"

const route = HttpRouter.add("GET", "/v1/media/:id", Effect.sync(() => HttpServerResponse.uint8Array(body, { contentType: "application/json" })))
const routes = floor === "router+middleware" ? Layer.mergeAll(route, RequestMiddleware) : route

const report = Layer.effectDiscard(Effect.gen(function*() {
  const { address } = yield* HttpServer.HttpServer
  if (address._tag !== "InetAddressV4") return yield* Effect.die(new Error("expected an IPv4 address"))
  process.send?.({ port: address.port })
}))

const main = report.pipe(
  Layer.provide(serve(routes, { port: 0, host: "127.0.0.1" })),
  Layer.provide(Layer.mergeAll(
    Layer.succeed(HttpConfig, { ...defaultHttpConfig, logRequests: false }),
    Layer.succeed(References.TracerEnabled, false)
  )),
  Layer.provide(Logger.layer([Logger.consoleJson]))
)

Layer.launch(main).pipe(NodeRuntime.runMain)
