/**
 * The real server of each mode, in process on 127.0.0.1 with an ephemeral
 * port, for end-to-end tests over HTTP: `layer(layerEmbedded)` / `layer(layerAws)`.
 * Both read a credentials file of this module with two accounts and a
 * read-only credential, and expose what a test needs to look behind the API.
 */
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3"
import { generateKeyPair } from "@media-object-storage/adapters/cloudfront/CloudFrontKeys"
import { layerVerifier } from "@media-object-storage/adapters/cloudfront/CloudFrontUrlVerifier"
import * as DynamoFileRepository from "@media-object-storage/adapters/dynamodb/DynamoFileRepository"
import { makeDocumentClient } from "@media-object-storage/adapters/dynamodb/DynamoTable"
import { createTable } from "@media-object-storage/adapters/dynamodb/TableSchema"
import * as S3ObjectStore from "@media-object-storage/adapters/s3/S3ObjectStore"
import { AwsLayer } from "@media-object-storage/apps/aws/AwsLayer"
import { AppConfig, appConfig } from "@media-object-storage/apps/config/AppConfig"
import { CdnObjects } from "@media-object-storage/apps/embedded/CdnObjects"
import { cdnPath, cdnRoute } from "@media-object-storage/apps/embedded/CdnRoute"
import { EmbeddedLayer } from "@media-object-storage/apps/embedded/EmbeddedLayer"
import { serve } from "@media-object-storage/apps/http/HttpApp"
import * as HttpConfig from "@media-object-storage/apps/http/HttpConfig"
import * as ServerLimits from "@media-object-storage/apps/http/ServerLimits"
import { handler } from "@media-object-storage/apps/lambda/object-created/handler"
import { Cause, ConfigProvider, Context, Effect, Layer, References } from "effect"
import { HttpServer } from "effect/http"
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { startDynamoDbLocal } from "./dynamodbLocal.ts"
import { startS3rver } from "./s3rver.ts"
import { processEnv } from "./processEnv.ts"

export type Mode = "embedded" | "aws"

/** The DynamoDB table of the aws-mode server (in DynamoDB Local). */
export const awsTable = "media-e2e"

export class E2eServer extends Context.Service<E2eServer, {
  readonly mode: Mode
  /** The API's origin, e.g. `http://127.0.0.1:41234`. */
  readonly url: string
  /** Keys of every object in storage (originals, images, thumbnails). */
  readonly objectKeys: Effect.Effect<ReadonlyArray<string>>
}>()("test/E2eServer") {}

/** aws mode: every S3 notification s3rver emitted so far (each was delivered to the Lambda `handler`). */
export class S3Notifications extends Context.Service<S3Notifications, {
  readonly all: Effect.Effect<ReadonlyArray<unknown>>
}>()("test/S3Notifications") {}

/** Largest accepted upload in both servers: big enough for the fixtures, small enough to exceed cheaply. */
export const maxUploadBytes = 2 * 1024 * 1024

const basic = (apiId: string, password: string) => `Basic ${Buffer.from(`${apiId}:${password}`).toString("base64")}`

/** `Authorization` header values of the test accounts. */
export const auth = {
  /** Account 10020, read + write, Basic. */
  basicA: basic("10020-140", "pw-a-0123456789"),
  /** Account 10020, read + write, Bearer. */
  writerA: "Bearer token-writer-a-0123456789",
  /** Account 10020, read only. */
  readerA: "Bearer token-reader-a-0123456789",
  /** Account 20030, read + write. */
  writerB: "Bearer token-writer-b-0123456789"
} as const

const credentialsDocument = {
  credentials: [
    { account_id: "10020", api_id: "10020-140", password: "pw-a-0123456789", permissions: ["media:read", "media:write"] },
    { account_id: "10020", token: "token-writer-a-0123456789", permissions: ["media:read", "media:write"] },
    { account_id: "10020", token: "token-reader-a-0123456789", permissions: ["media:read"] },
    { account_id: "20030", token: "token-writer-b-0123456789", permissions: ["media:read", "media:write"] }
  ]
}

/** A fresh temp directory with the credentials file in it, removed when the scope closes. */
export const workDir = Effect.acquireRelease(
  Effect.sync(() => {
    const dir = mkdtempSync(join(tmpdir(), "media-e2e-"))
    writeFileSync(join(dir, "test-credentials.json"), JSON.stringify(credentialsDocument), { mode: 0o600 })
    return dir
  }),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

const commonEnv = (dir: string) => ({
  MEDIA_AUTH_FILE: join(dir, "test-credentials.json"),
  MEDIA_MAX_UPLOAD_BYTES: String(maxUploadBytes),
  MEDIA_HTTP_LOG: "false"
})

const originOf = (server: HttpServer.HttpServer["Service"]) =>
  server.address._tag === "InetAddressV4"
    ? Effect.succeed(`http://127.0.0.1:${server.address.port}`)
    : Effect.die(new Error("expected a TCP address"))

/** `routes` on 127.0.0.1:0 under `env`, built into the current scope; its origin. */
const serveIn = <E, R>(routes: Layer.Layer<never, E, R>, env: Record<string, string>) =>
  Layer.build(serve(routes, { port: 0, host: "127.0.0.1" }).pipe(
    Layer.provide([HttpConfig.layerFromEnv, ServerLimits.layerFromEnv]),
    Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))
  ) as Layer.Layer<HttpServer.HttpServer, E, never>).pipe(
    Effect.flatMap((context) => originOf(Context.get(context, HttpServer.HttpServer)))
  )

/** AppConfig as the environment gives it, but with the public URL of the port actually bound. */
const appConfigOfBoundServer = Layer.effect(
  AppConfig,
  Effect.gen(function*() {
    const server = yield* HttpServer.HttpServer
    const publicUrl = yield* originOf(server)
    const config = yield* appConfig
    return { ...config, port: Number(new URL(publicUrl).port), publicUrl }
  })
)

/** Files under `root` as object keys (the disk store's sidecars and temp files are dot-files). */
const filesUnder = (root: string): ReadonlyArray<string> => {
  const entries = readdirSync(root, { recursive: true, withFileTypes: true })
  return entries
    .filter((entry) => entry.isFile() && !entry.name.startsWith("."))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split("\\").join("/"))
    .sort()
}

/** Test output stays readable: the servers log warnings and errors only. */
const quiet = Layer.succeed(References.MinimumLogLevel, "Warn")

/**
 * The embedded server over the data dir `<dir>/data`, until the scope closes;
 * `dir` must hold the test credentials file (see `workDir`). Starting it again
 * on the same `dir` is a restart.
 */
export const embeddedServer = (dir: string) =>
  Effect.gen(function*() {
    const dataDir = join(dir, "data")
    const url = yield* serveIn(EmbeddedLayer.pipe(Layer.provide(appConfigOfBoundServer)), {
      ...commonEnv(dir),
      MEDIA_MODE: "embedded",
      MEDIA_DATA_DIR: dataDir
    })
    return E2eServer.of({
      mode: "embedded",
      url,
      objectKeys: Effect.sync(() => filesUnder(join(dataDir, "objects")))
    })
  }).pipe(Effect.provide(quiet))

export const layerEmbedded = Layer.effect(E2eServer, Effect.flatMap(workDir, embeddedServer))


/**
 * aws mode against s3rver (S3) and DynamoDB Local, with a loopback "CloudFront"
 * (the embedded CDN route over the same bucket) and s3rver's ObjectCreated
 * notifications delivered to the exported Lambda `handler`, as S3 would.
 */
export const layerAws = Layer.effectContext(
  Effect.gen(function*() {
    const dir = yield* workDir
    const bucket = "media-e2e"
    const table = awsTable
    const s3 = yield* startS3rver({ bucket })
    const dynamo = yield* Effect.acquireRelease(
      Effect.promise(() => startDynamoDbLocal()),
      (server) => Effect.promise(() => server.stop())
    )
    // s3rver checks the access key; DynamoDB Local accepts any, keeping one database per key and region.
    const credentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" }
    const region = "us-east-1"
    const tableClient = yield* makeDocumentClient({ endpoint: dynamo.endpoint, region, credentials })
    yield* createTable(tableClient, table)

    const keys = yield* generateKeyPair()
    const cdnRoutes = Layer.unwrap(Effect.gen(function*() {
      const origin = yield* originOf(yield* HttpServer.HttpServer)
      return cdnRoute(origin).pipe(
        Layer.provide(layerVerifier({ keyPairs: new Map([[keys.keyPairId, keys.publicKeyPem]]), baseUrl: `${origin}${cdnPath}` }))
      )
    })).pipe(
      // The route serves only files the table holds as ready, as in embedded mode.
      Layer.provide(DynamoFileRepository.layerClient({ tableName: table, clientConfig: { endpoint: dynamo.endpoint, region, credentials } })),
      Layer.provide(CdnObjects.layerObjectStore),
      Layer.provide(S3ObjectStore.layerClient({ bucket, client: s3.clientConfig }))
    )
    const cdnOrigin = yield* serveIn(cdnRoutes, {})

    const env = {
      ...commonEnv(dir),
      MEDIA_MODE: "aws",
      MEDIA_BUCKET: bucket,
      MEDIA_TABLE: table,
      MEDIA_CDN_URL: `${cdnOrigin}${cdnPath}`,
      MEDIA_CDN_KEY_PAIR_ID: keys.keyPairId,
      MEDIA_CDN_PRIVATE_KEY: keys.privateKeyPem,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey
    }
    yield* processEnv(env)
    const url = yield* serveIn(AwsLayer.pipe(Layer.provide(AppConfig.layer)), env)

    // S3 -> Lambda: every notification, in order, to the deployed handler.
    yield* s3.takeEvent.pipe(
      Effect.flatMap((event) => Effect.promise(() => handler(event))),
      Effect.catchCause((cause) => Effect.logError("lambda invocation failed", Cause.pretty(cause))),
      Effect.forever,
      Effect.forkScoped
    )

    const listClient = yield* Effect.acquireRelease(
      Effect.sync(() => new S3Client(s3.clientConfig)),
      (client) => Effect.sync(() => client.destroy())
    )
    const objectKeys = Effect.promise(() => listClient.send(new ListObjectsV2Command({ Bucket: bucket }))).pipe(
      Effect.map((listing) => (listing.Contents ?? []).flatMap((object) => object.Key === undefined ? [] : [object.Key]).sort())
    )
    return Context.make(E2eServer, E2eServer.of({ mode: "aws", url, objectKeys })).pipe(
      Context.add(S3Notifications, S3Notifications.of({ all: s3.events }))
    )
  })
).pipe(Layer.provide(quiet))
