/**
 * In-process CPU cost of the lean GET route's own work (no sockets): the
 * front route called with stand-in request/response objects on the same
 * ports as bench/http/api-server.ts (memory repository, CloudFront signer,
 * credentials-file Basic auth). A development aid for profiling the route.
 * Run: `node bench/http/lean-route-cost.ts` (BENCH_CALLS, default 50000).
 */
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer, Logger, Redacted, References, Scope } from "effect"
import { fromCredentialsFile } from "@media-object-storage/adapters/auth/CredentialsAuthenticator"
import * as CloudFrontUrlSigner from "@media-object-storage/adapters/cloudfront/CloudFrontUrlSigner"
import { generateKeyPair } from "@media-object-storage/adapters/cloudfront/CloudFrontKeys"
import { Cursors } from "@media-object-storage/core/Cursors"
import type { FileRecord } from "@media-object-storage/core/FileRecord"
import type { AccountId } from "@media-object-storage/core/Ids"
import * as MemoryFileRepository from "@media-object-storage/core/memory/MemoryFileRepository"
import * as MemoryObjectStore from "@media-object-storage/core/memory/MemoryObjectStore"
import { Authenticator } from "@media-object-storage/core/ports/Authenticator"
import { FileIds } from "@media-object-storage/core/ports/FileIds"
import { FileRepository } from "@media-object-storage/core/ports/FileRepository"
import { UrlSigner } from "@media-object-storage/core/ports/UrlSigner"
import { MediaFiles } from "@media-object-storage/core/usecases/MediaFiles"
import * as FastGetFile from "../../apps/src/http/FastGetFile.ts"
import { FrontRoutes, makeFrontRoutes } from "../../apps/src/http/FrontRoutes.ts"
import { defaultHttpConfig, HttpConfig } from "../../apps/src/http/HttpConfig.ts"

const calls = Number(process.env.BENCH_CALLS ?? 50_000)
const dir = mkdtempSync(join(tmpdir(), "bench-lean-"))
const authFile = join(dir, "credentials.json")
const password = "bench-password-0123456789abcdef"
writeFileSync(authFile, JSON.stringify({ credentials: [{ account_id: "10020", api_id: "10020-bench", password, permissions: ["media:read"] }] }))
const authorization = `Basic ${Buffer.from(`10020-bench:${password}`).toString("base64")}`
const keys = await Effect.runPromise(generateKeyPair())

const front = makeFrontRoutes()
// Kept open for the whole run: closing it takes the route off the front routes.
const scope = Effect.runSync(Scope.make())
const context = await Effect.runPromise(Layer.buildWithScope(FastGetFile.layer.pipe(
    Layer.provideMerge(MediaFiles.layer),
    Layer.provideMerge(Layer.mergeAll(
      MemoryFileRepository.layerMemory,
      MemoryObjectStore.layerMemory,
      Layer.effect(UrlSigner, CloudFrontUrlSigner.make({ baseUrl: "http://127.0.0.1:8080/cdn", keyPairId: keys.keyPairId, privateKey: Redacted.make(keys.privateKeyPem) })),
      Layer.effect(Authenticator, fromCredentialsFile(authFile)),
      FileIds.layer,
      Cursors.layerTest
    )),
    Layer.provide(Layer.mergeAll(
      Layer.succeed(FrontRoutes, front),
      Layer.succeed(HttpConfig, { ...defaultHttpConfig, logRequests: process.env.BENCH_LOG === "on" }),
      Layer.succeed(References.TracerEnabled, false),
      Logger.layer([Logger.consoleJson])
    ))
  ), scope))
const fileId = await Effect.runPromise(Effect.gen(function*() {
  const fileId = yield* (yield* FileIds).next
  yield* (yield* FileRepository).create({
    fileId, accountId: "10020" as AccountId, entityType: "shipment_item", entityId: "1RT823V93|SKU-001|DAMAGED|D-1" as FileRecord["entityId"],
    contentType: "image/jpeg", status: "ready", fileSize: 734_112, createdAt: 1_790_000_000, updatedAt: 1_790_000_010,
    version: 4, attempts: 1, uploadExpiresAt: 1_790_000_900, width: 2000, height: 1500
  })
  return fileId
}).pipe(Effect.provideContext(context)))

let written = 0
const request = { method: "GET", url: `/v1/media/${fileId}`, headers: { authorization, host: "127.0.0.1" }, socket: { remoteAddress: "127.0.0.1" } }
const response = {
  writableEnded: false,
  writeHead: (status: number) => {
    if (status !== 200) throw new Error(`status ${status}`)
  },
  end: (body?: string) => {
    written += body?.length ?? 0
  },
  on: () => response,
  destroy: () => undefined
}
const once = () => front.handle(request as never, response as never)
// The first call verifies the password (scrypt, asynchronous); wait for it to be cached.
once()
while (written === 0) await new Promise((resolve) => setTimeout(resolve, 50))
for (let i = 0; i < 5000; i++) once()
const start = process.cpuUsage()
for (let i = 0; i < calls; i++) once()
const used = process.cpuUsage(start)
console.log(`lean GET route, in process: ${((used.user + used.system) / calls).toFixed(2)} µs CPU per request (${calls} calls, ${written} bytes written)`)
