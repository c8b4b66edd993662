/**
 * The benchmarked API server, started as a child process by get-file.ts:
 * the real HttpApi routes (`MediaHttpRoutes`, middleware included) on memory
 * FileRepository/ObjectStore, the credentials-file Authenticator with one
 * Basic credential (a password, which the authenticator keeps as a scrypt hash
 * and caches once verified), and a UrlSigner chosen by BENCH_SIGNER:
 * - `cloudfront` (default): the shipped CloudFrontUrlSigner, RSA-2048, PEM key;
 * - `keyobject`: the same SDK call with the key parsed once (the proposed fix);
 * - `memory`: no cryptography, to isolate the HTTP stack.
 * BENCH_LOG=on turns the JSON access log on (as `npm start` does by default);
 * BENCH_TRACER=on sets `References.TracerEnabled` to true (spans for `Effect.fn`; the
 * server runs without, as `npm start` does: apps/src/config/Observability.ts);
 * BENCH_FAST=off serves `GET /v1/media/{id}` through HttpApi only (`HttpConfig.fastReads` false).
 * Seeds one `ready` file and sends `{ port, fileId, authorization }` to the parent over IPC.
 */
import { getSignedUrl } from "@aws-sdk/cloudfront-signer"
import { createPrivateKey, generateKeyPairSync } from "node:crypto"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer, Logger, Redacted, References } from "effect"
import { HttpServer } from "effect/http"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { fromCredentialsFile } from "@media-object-storage/adapters/auth/CredentialsAuthenticator"
import * as CloudFrontUrlSigner from "@media-object-storage/adapters/cloudfront/CloudFrontUrlSigner"
import { Cursors } from "@media-object-storage/core/Cursors"
import type { FileRecord } from "@media-object-storage/core/FileRecord"
import type { AccountId } from "@media-object-storage/core/Ids"
import * as MemoryFileRepository from "@media-object-storage/core/memory/MemoryFileRepository"
import * as MemoryObjectStore from "@media-object-storage/core/memory/MemoryObjectStore"
import * as MemoryUrlSigner from "@media-object-storage/core/memory/MemoryUrlSigner"
import { imageKey, thumbnailKey } from "@media-object-storage/core/ObjectKeys"
import { Authenticator } from "@media-object-storage/core/ports/Authenticator"
import { FileIds } from "@media-object-storage/core/ports/FileIds"
import { FileRepository } from "@media-object-storage/core/ports/FileRepository"
import { UrlSigner } from "@media-object-storage/core/ports/UrlSigner"
import { MediaHttpRoutes, serve } from "../../apps/src/http/HttpApp.ts"
import { defaultHttpConfig, HttpConfig } from "../../apps/src/http/HttpConfig.ts"
import { Readiness } from "../../apps/src/http/Readiness.ts"

const signerKind = process.env.BENCH_SIGNER ?? "cloudfront"
const logRequests = process.env.BENCH_LOG === "on"
const tracerEnabled = process.env.BENCH_TRACER === "on"
const fastReads = process.env.BENCH_FAST !== "off"
const apiId = "10020-bench"
const password = "bench-password-0123456789abcdef"
const authorization = `Basic ${Buffer.from(`${apiId}:${password}`).toString("base64")}`
const accountId = "10020" as AccountId
const cdnBase = "http://127.0.0.1:8080/cdn"

const dir = mkdtempSync(join(tmpdir(), "bench-http-"))
const authFile = join(dir, "credentials.json")
writeFileSync(authFile, JSON.stringify({ credentials: [{ account_id: accountId, api_id: apiId, password, permissions: ["media:read"] }] }))
const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString()

const signer = (): Layer.Layer<UrlSigner, unknown> => {
  if (signerKind === "memory") return MemoryUrlSigner.layerMemory
  if (signerKind === "keyobject") {
    const key = createPrivateKey(pem)
    // The SDK hands privateKey to crypto's Sign.sign, which takes a KeyObject as well as a PEM.
    const sign = (path: string, expiresAt: number) =>
      Effect.sync(() =>
        getSignedUrl({ url: `${cdnBase}/${path}`, keyPairId: "KBENCH", privateKey: key as unknown as string, dateLessThan: expiresAt * 1000 })
      )
    return Layer.succeed(UrlSigner, UrlSigner.of({
      sign,
      // Two canned signatures per file, as before custom policies.
      signDerivatives: ({ accountId, attempt, fileId }, expiresAt) =>
        Effect.all({
          image: sign(imageKey(accountId, fileId, attempt), expiresAt),
          thumbnail: sign(thumbnailKey(accountId, fileId, attempt), expiresAt)
        })
    }))
  }
  return Layer.effect(UrlSigner, CloudFrontUrlSigner.make({ baseUrl: cdnBase, keyPairId: "KBENCH", privateKey: Redacted.make(pem) }))
}

const ports = Layer.mergeAll(
  MemoryFileRepository.layerMemory,
  MemoryObjectStore.layerMemory,
  signer(),
  Layer.effect(Authenticator, fromCredentialsFile(authFile)),
  FileIds.layer,
  Cursors.layerTest
)

const seedAndReport = Layer.effectDiscard(Effect.gen(function*() {
  const fileId = yield* (yield* FileIds).next
  yield* (yield* FileRepository).create({
    fileId, accountId, entityType: "shipment_item", entityId: "1RT823V93|SKU-001|DAMAGED|D-1" as FileRecord["entityId"],
    contentType: "image/jpeg", status: "ready", fileSize: 734_112, createdAt: 1_790_000_000, updatedAt: 1_790_000_010,
    version: 4, attempts: 1, uploadExpiresAt: 1_790_000_900, width: 2000, height: 1500
  })
  const { address } = yield* HttpServer.HttpServer
  if (address._tag !== "InetAddressV4") return yield* Effect.die(new Error("expected an IPv4 address"))
  process.send?.({ port: address.port, fileId, authorization })
}))

const main = seedAndReport.pipe(
  Layer.provide(serve(MediaHttpRoutes, { port: 0, host: "127.0.0.1" })),
  Layer.provide(Layer.mergeAll(
    ports,
    Readiness.layerAlwaysReady,
    Layer.succeed(HttpConfig, { ...defaultHttpConfig, logRequests, fastReads }),
    Layer.succeed(References.TracerEnabled, tracerEnabled)
  )),
  Layer.provide(Logger.layer([Logger.consoleJson]))
)

Layer.launch(main).pipe(NodeRuntime.runMain)
