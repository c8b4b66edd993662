/**
 * The server behind bench/http/sign-search.ts, a child process: the real
 * HttpApi routes on the repository BENCH_REPO names (`dynalite`: the embedded
 * server's, LevelDB in a temp dir; `memory`: no database cost at all), a
 * bearer token, and the shipped CloudFrontUrlSigner, seeded with 100 `ready`
 * files (entity `R1`, URLs signed) and the same 100 files `processing`
 * (entity `U1`, no URLs).
 * Over IPC the parent asks for `{ cpu }` (this process's CPU time, all
 * threads, in µs) and for `{ fresh: contender }`: a new signer with an empty
 * cache, so the next page is signed from scratch:
 * - `ec`: ECDSA P-256 (a new data dir's key), one custom policy per file;
 * - `rsa`: RSA-2048 (older data dirs, RSA-keyed deployments), one custom policy per file;
 * - `rsa-canned`: RSA-2048, two canned policies per file (before).
 */
import { generateKeyPairSync } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer, Logger, Redacted, References } from "effect"
import { HttpServer } from "effect/http"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { fromCredentialsFile } from "@media-object-storage/adapters/auth/CredentialsAuthenticator"
import * as CloudFrontUrlSigner from "@media-object-storage/adapters/cloudfront/CloudFrontUrlSigner"
import * as DynaliteFileRepository from "@media-object-storage/adapters/dynamodb/DynaliteFileRepository"
import { Cursors } from "@media-object-storage/core/Cursors"
import type { FileRecord } from "@media-object-storage/core/FileRecord"
import type { AccountId } from "@media-object-storage/core/Ids"
import * as MemoryFileRepository from "@media-object-storage/core/memory/MemoryFileRepository"
import * as MemoryObjectStore from "@media-object-storage/core/memory/MemoryObjectStore"
import { imageKey, thumbnailKey } from "@media-object-storage/core/ObjectKeys"
import { Authenticator } from "@media-object-storage/core/ports/Authenticator"
import { FileIds } from "@media-object-storage/core/ports/FileIds"
import { FileRepository } from "@media-object-storage/core/ports/FileRepository"
import { UrlSigner } from "@media-object-storage/core/ports/UrlSigner"
import { MediaHttpRoutes, serve } from "../../apps/src/http/HttpApp.ts"
import { defaultHttpConfig, HttpConfig } from "../../apps/src/http/HttpConfig.ts"
import { Readiness } from "../../apps/src/http/Readiness.ts"

export type Contender = "rsa" | "ec" | "rsa-canned"
export type Ask = { readonly cpu: true } | { readonly fresh: Contender }
export interface Ready {
  readonly port: number
  readonly token: string
}

const token = "bench-token-0123456789abcdef"
const accountId = "10020" as AccountId
const cdnBase = "http://127.0.0.1:8080/cdn"
const filesPerPage = 100

const repo = process.env.BENCH_REPO === "memory" ? "memory" : "dynalite"
const dir = mkdtempSync(join(tmpdir(), "bench-sign-search-"))
process.on("exit", () => rmSync(dir, { recursive: true, force: true }))
const authFile = join(dir, "credentials.json")
writeFileSync(authFile, JSON.stringify({ credentials: [{ account_id: accountId, token, permissions: ["media:read"] }] }))
const pem = (type: "rsa" | "ec") =>
  (type === "rsa"
    ? generateKeyPairSync("rsa", { modulusLength: 2048 })
    : generateKeyPairSync("ec", { namedCurve: "P-256" })).privateKey.export({ type: "pkcs8", format: "pem" }).toString()
const pems = { rsa: pem("rsa"), ec: pem("ec") }

const makeSigner = (contender: Contender) =>
  Effect.gen(function*() {
    const signer = yield* CloudFrontUrlSigner.make({
      baseUrl: cdnBase,
      keyPairId: "KBENCH",
      privateKey: Redacted.make(contender === "ec" ? pems.ec : pems.rsa)
    })
    if (contender !== "rsa-canned") return signer
    // What FileView did before: two canned signatures, one after the other.
    return UrlSigner.of({
      ...signer,
      signDerivatives: ({ accountId, attempt, fileId }, expiresAt) =>
        Effect.all({
          image: signer.sign(imageKey(accountId, fileId, attempt), expiresAt),
          thumbnail: signer.sign(thumbnailKey(accountId, fileId, attempt), expiresAt)
        })
    })
  }).pipe(Effect.orDie)

// The signer in use; replaced (empty cache) on `{ fresh }`.
let current: UrlSigner["Service"] = Effect.runSync(makeSigner("rsa"))
const swappable = Layer.succeed(UrlSigner, UrlSigner.of({
  sign: (key, expiresAt) => current.sign(key, expiresAt),
  signDerivatives: (derivatives, expiresAt) => current.signDerivatives(derivatives, expiresAt)
}))

const ports = Layer.mergeAll(
  repo === "memory" ? MemoryFileRepository.layerMemory : DynaliteFileRepository.layerDynalite({ path: join(dir, "metadata") }),
  MemoryObjectStore.layerMemory,
  swappable,
  Layer.effect(Authenticator, fromCredentialsFile(authFile)),
  FileIds.layer,
  Cursors.layerTest
)

const seedAndReport = Layer.effectDiscard(Effect.gen(function*() {
  const ids = yield* FileIds
  const repo = yield* FileRepository
  for (let i = 0; i < filesPerPage; i++) {
    const record = (status: "ready" | "processing", prefix: string): FileRecord => ({
      fileId: undefined as never, accountId, entityType: "shipment_item",
      entityId: `${prefix}|SKU-${String(i % 7).padStart(3, "0")}|DAMAGED|D-${i}` as FileRecord["entityId"],
      contentType: "image/jpeg", status, fileSize: 734_112, createdAt: 1_790_000_000 + i, updatedAt: 1_790_000_010 + i,
      version: 4, attempts: 1, uploadExpiresAt: 1_790_000_900,
      ...(status === "ready" ? { width: 2000, height: 1500 } : {})
    })
    yield* repo.create({ ...record("ready", "R1"), fileId: yield* ids.next })
    yield* repo.create({ ...record("processing", "U1"), fileId: yield* ids.next })
  }
  process.on("message", (ask: Ask) => {
    if ("cpu" in ask) {
      const { system, user } = process.cpuUsage()
      process.send?.({ cpu: user + system })
    } else {
      current = Effect.runSync(makeSigner(ask.fresh))
      process.send?.({ fresh: ask.fresh })
    }
  })
  const { address } = yield* HttpServer.HttpServer
  if (address._tag !== "InetAddressV4") return yield* Effect.die(new Error("expected an IPv4 address"))
  process.send?.({ port: address.port, token } satisfies Ready)
}))

const main = seedAndReport.pipe(
  Layer.provide(serve(MediaHttpRoutes, { port: 0, host: "127.0.0.1" })),
  Layer.provide(Layer.mergeAll(
    ports,
    Readiness.layerAlwaysReady,
    // As the server runs: spans off. The access log is off (one line per page either way).
    Layer.succeed(HttpConfig, { ...defaultHttpConfig, logRequests: false }),
    Layer.succeed(References.TracerEnabled, false)
  )),
  Layer.provide(Logger.layer([Logger.consoleJson]))
)

Layer.launch(main).pipe(NodeRuntime.runMain)
