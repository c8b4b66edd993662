/**
 * Embedded mode: everything in one process. Metadata in dynalite on disk,
 * objects on disk behind the S3-POST-compatible upload endpoint, downloads
 * through the app's own CloudFront-format CDN route, processing in-process.
 * Keys and the first credential are generated into the data dir on first start.
 */
import { join } from "node:path"
import { Duration, Effect, FileSystem, Layer, Option } from "effect"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as CredentialsAuthenticator from "@media-object-storage/adapters/auth/CredentialsAuthenticator"
import * as CloudFrontUrlSigner from "@media-object-storage/adapters/cloudfront/CloudFrontUrlSigner"
import { layerVerifier } from "@media-object-storage/adapters/cloudfront/CloudFrontUrlVerifier"
import { diskFault } from "@media-object-storage/adapters/disk/DiskFault"
import * as DiskObjectStore from "@media-object-storage/adapters/disk/DiskObjectStore"
import { removeDeadTemps } from "@media-object-storage/adapters/disk/DiskObjectStore"
import { uploadRoutes } from "@media-object-storage/adapters/disk/DiskUploadEndpoint"
import * as DynaliteFileRepository from "@media-object-storage/adapters/dynamodb/DynaliteFileRepository"
import { Cursors } from "@media-object-storage/core/Cursors"
import { originalsPrefix } from "@media-object-storage/core/ObjectKeys"
import { KnownRecords } from "@media-object-storage/core/usecases/KnownRecords"
import { Processing } from "@media-object-storage/core/usecases/Processing"
import { FileIds } from "@media-object-storage/core/ports/FileIds"
import { UrlSigner } from "@media-object-storage/core/ports/UrlSigner"
import { AppConfig, mediaConfigLayer } from "../config/AppConfig.ts"
import { imageProcessorLayer } from "../config/ImageProcessorLayer.ts"
import { MediaHttpRoutes } from "../http/HttpApp.ts"
import * as Sweeper from "./Sweeper.ts"
import { CdnObjects } from "./CdnObjects.ts"
import { cdnPath, cdnRoute } from "./CdnRoute.ts"
import { Dispatcher } from "./Dispatcher.ts"
import * as EmbeddedReadiness from "./EmbeddedReadiness.ts"
import { LastStop, repairAfterUncleanStop } from "./LastStop.ts"
import * as Recovery from "./Recovery.ts"
import { webAppRoute } from "./WebAppRoute.ts"
import { ensureCredentialsFile } from "./FirstCredentials.ts"
import { loadOrCreateLocalKeys } from "./LocalKeys.ts"

export const bucket = "media"
/**
 * Dispatcher jobs at once (reading the original, writing derivatives, state changes). The image
 * work itself is bounded per process by the ImageProcessor's gate (MEDIA_PROCESSING_CONCURRENCY,
 * MEDIA_PROCESSING_MEMORY_MB), which the sweeper and recovery share.
 */
const dispatcherJobs = 2
const sweepIntervalSeconds = 5
/** How often the sweeper looks for temp files of dead uploads. */
const tempSweepIntervalSeconds = 60
/**
 * A temp file not written to for this long belongs to a dead upload: longer than an upload URL
 * lives (15 min), and than Node lets a request take (5 min by default), so never a live one.
 */
const deadTempIdleSeconds = 15 * 60

/**
 * The embedded server in two parts: `services` (ports, dispatcher, sweeper,
 * readiness: the slow part, dynalite and keys) and `routes` (needs an
 * HttpRouter and the services). Build the services before the server listens,
 * so no request arrives before its handler exists.
 */
export const makeEmbedded = Effect.gen(function*() {
  const config = yield* AppConfig
  const fs = yield* FileSystem.FileSystem
  const authFile = Option.getOrElse(config.authFile, () => join(config.dataDir, "credentials.json"))
  const keys = yield* Effect.gen(function*() {
    yield* fs.makeDirectory(config.dataDir, { recursive: true })
    // On a first start both are made on libuv's threads (an RSA key pair, a scrypt hash): at once.
    const [keys] = yield* Effect.all([
      loadOrCreateLocalKeys(config.dataDir),
      Option.isNone(config.authFile) ? ensureCredentialsFile(authFile) : Effect.void
    ], { concurrency: 2 })
    return keys
  }).pipe(Effect.mapError((cause) => {
    // A full or read-only disk at start says so, rather than as a bare system error.
    const fault = diskFault(cause)
    return fault === undefined ? cause : new Error(`cannot prepare the data directory ${config.dataDir}: ${fault.description}`, { cause })
  }))

  const root = join(config.dataDir, "objects")
  const credentials = keys.storage
  const cdnBase = `${config.publicUrl}${cdnPath}`

  const ports = Layer.mergeAll(
    DynaliteFileRepository.layerDynalite({ path: join(config.dataDir, "metadata") }),
    DiskObjectStore.layer({ root, publicUrl: config.publicUrl, bucket, credentials }),
    Layer.effect(UrlSigner, CloudFrontUrlSigner.make({
      baseUrl: cdnBase,
      keyPairId: keys.cdn.keyPairId,
      privateKey: keys.cdn.privateKeyPem
    })),
    layerVerifier({ keyPairs: new Map([[keys.cdn.keyPairId, keys.cdn.publicKeyPem]]), baseUrl: cdnBase }),
    CredentialsAuthenticator.layer({ authFile, jwt: Option.getOrUndefined(config.jwt) }),
    imageProcessorLayer,
    Cursors.layer(keys.cursorSecret),
    FileIds.layer,
    // Uploads arrive in this process: each step hands the record it wrote to the next (one read less each).
    KnownRecords.layer()
  ).pipe(Layer.provideMerge(mediaConfigLayer))
  // Above the store: the marker is made once dynalite holds the data dir's lock (a second server on the same
  // dir fails before touching it) and goes before the store closes, after everything that writes to it stopped.
  const portsAndMarker = LastStop.layer(config.dataDir).pipe(
    Layer.provide(NodeFileSystem.layer),
    Layer.provideMerge(ports)
  )

  const storageRoutes = Layer.unwrap(Effect.gen(function*() {
    const dispatcher = yield* Dispatcher
    const processing = yield* Processing
    return uploadRoutes({
      root,
      bucket,
      credentials,
      maxUploadBytes: config.maxUploadBytes,
      corsOrigins: config.corsOrigins,
      onObjectArrived: (arrival) =>
        // Recorded before the endpoint answers 204: a crash after that leaves a due `uploaded` file, not a lost
        // arrival. If recording fails, the endpoint answers 500 and the client retries the upload.
        processing.recordArrival(arrival).pipe(Effect.andThen(dispatcher.dispatch(arrival)))
    }).pipe(Layer.provide(NodeFileSystem.layer))
  }))

  const deadTemps: Sweeper.Housekeeping = {
    name: "removing dead uploads' temp files",
    everySeconds: tempSweepIntervalSeconds,
    run: removeDeadTemps(root, { under: [originalsPrefix], idleFor: Duration.seconds(deadTempIdleSeconds) }).pipe(
      Effect.tap((count) => count > 0 ? Effect.logWarning("removed temp files of dead uploads", { count }) : Effect.void),
      Effect.provide(NodeFileSystem.layer)
    )
  }
  const services = Layer.mergeAll(
    // The index is whole again before recovery and the sweeper read it.
    Recovery.layer.pipe(Layer.provide(repairAfterUncleanStop)),
    EmbeddedReadiness.layer(root),
    Sweeper.layer(sweepIntervalSeconds, [deadTemps])
  ).pipe(
    Layer.provideMerge(Dispatcher.layer(dispatcherJobs)),
    Layer.provideMerge(Processing.layer),
    // Before anything writes objects: every temp file found then is dead. On the repaired index: it lists due files.
    Layer.provide(Recovery.removeDeadTempsAtStart(root).pipe(Layer.provide(repairAfterUncleanStop))),
    Layer.provideMerge(portsAndMarker)
  )
  const routes = Layer.mergeAll(
    MediaHttpRoutes,
    storageRoutes,
    cdnRoute(config.publicUrl).pipe(Layer.provide(CdnObjects.layerDisk(root))),
    webAppRoute(config.publicUrl)
  )
  return { services, routes }
}).pipe(Effect.provide(NodeFileSystem.layer))

/** Routes and background work of the embedded server in one layer; needs an HttpRouter. */
export const EmbeddedLayer = Layer.unwrap(
  Effect.map(makeEmbedded, ({ routes, services }) => routes.pipe(Layer.provideMerge(services)))
)
