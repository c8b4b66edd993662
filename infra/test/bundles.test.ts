/**
 * The Lambda bundles as Lambda runs them: built by `bundleLambdas` (sharp for the host's arch, so
 * they run here), checked for what they must not contain, loaded by plain Node without type
 * stripping, and driven end to end — imported from `dist/` — against s3rver and DynamoDB Local.
 */
import { assert, describe, it, layer } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { Context, Effect, Layer, Option } from "effect"
import { generateKeyPair } from "@media-object-storage/adapters/cloudfront/CloudFrontKeys"
import * as DynamoFileRepository from "@media-object-storage/adapters/dynamodb/DynamoFileRepository"
import { makeDocumentClient } from "@media-object-storage/adapters/dynamodb/DynamoTable"
import { createTable } from "@media-object-storage/adapters/dynamodb/TableSchema"
import type { AccountId, FileId } from "@media-object-storage/core/Ids"
import { FileRepository } from "@media-object-storage/core/ports/FileRepository"
import { startDynamoDbLocal } from "../../test/support/dynamodbLocal.ts"
import { processEnv } from "../../test/support/processEnv.ts"
import { type S3rverInstance, startS3rver } from "../../test/support/s3rver.ts"
import { auth, workDir } from "../../test/support/servers.ts"
import { type BundleReport, bundleLambdas, type LambdaName, repoRoot } from "../bundle/bundleLambdas.ts"

const outDir = join("dist", "lambda-test")
const arch = process.arch === "arm64" ? "arm64" : "x64"

type Handler = (event: unknown, context: { awsRequestId: string }) => Promise<any>

class Bundles extends Context.Service<Bundles, {
  readonly reports: ReadonlyArray<BundleReport>
  readonly handler: (name: LambdaName) => Handler
  readonly s3: S3rverInstance
  readonly bucket: string
}>()("test/Bundles") {}

const BundlesLayer = Layer.effect(
  Bundles,
  Effect.gen(function*() {
    const reports = yield* Effect.promise(() => bundleLambdas({ arch, outDir }))
    const dir = yield* workDir
    const bucket = "media-bundles"
    const table = "media-bundles"
    const s3 = yield* startS3rver({ bucket })
    const dynamo = yield* Effect.acquireRelease(Effect.promise(() => startDynamoDbLocal()), (d) => Effect.promise(() => d.stop()))
    const credentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" }
    yield* createTable(yield* makeDocumentClient({ endpoint: dynamo.endpoint, region: "us-east-1", credentials }), table)
    const keys = yield* generateKeyPair()
    // What the stack sets on the functions, pointed at the loopback servers.
    yield* processEnv({
      MEDIA_MODE: "aws",
      MEDIA_BUCKET: bucket,
      MEDIA_TABLE: table,
      MEDIA_AUTH_FILE: join(dir, "test-credentials.json"),
      MEDIA_CDN_URL: "https://cdn.example.test",
      MEDIA_CDN_KEY_PAIR_ID: keys.keyPairId,
      MEDIA_CDN_PRIVATE_KEY: keys.privateKeyPem,
      MEDIA_LOG_LEVEL: "warn",
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey
    })
    const handlers = new Map<LambdaName, Handler>()
    for (const name of ["api", "object-created", "sweep"] as const) {
      const module = yield* Effect.promise(() => import(pathToFileURL(join(repoRoot, outDir, name, "index.mjs")).href))
      handlers.set(name, module.handler as Handler)
    }
    return Bundles.of({ reports, handler: (name) => handlers.get(name)!, s3, bucket })
  })
)

/** An API Gateway HTTP API (payload 2.0) event. */
const apiEvent = (method: string, path: string, options: { query?: string; body?: unknown; authorization?: string } = {}) => ({
  version: "2.0",
  routeKey: "$default",
  rawPath: path,
  rawQueryString: options.query ?? "",
  headers: {
    host: "api.example.test",
    ...(options.authorization === undefined ? {} : { authorization: options.authorization }),
    ...(options.body === undefined ? {} : { "content-type": "application/json" })
  },
  requestContext: {
    domainName: "api.example.test",
    requestId: "req",
    http: { method, path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "test" }
  },
  ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  isBase64Encoded: false
})

const invoke = (name: LambdaName, event: unknown) =>
  Effect.flatMap(Bundles, (b) => Effect.promise(() => b.handler(name)(event, { awsRequestId: `test-${name}` })))

const api = (method: string, path: string, options: { query?: string; body?: unknown; authorization?: string } = {}) =>
  Effect.map(invoke("api", apiEvent(method, path, { authorization: auth.writerA, ...options })), (result) => ({
    ...result,
    json: result.body === "" || result.isBase64Encoded ? undefined : (() => {
      try {
        return JSON.parse(result.body)
      } catch {
        return undefined
      }
    })()
  }))

const png = readFileSync(join(repoRoot, "adapters", "test", "fixtures", "images", "tricky", "with-alpha.png"))

/** The notification s3rver emitted for `key`, wrapped in an SQS message as the queue delivers it. */
const sqsOf = (notification: unknown, messageId: string) => ({
  Records: [{ eventSource: "aws:sqs", messageId, receiptHandle: "r", body: JSON.stringify(notification), attributes: {} }]
})

const inputsOf = (report: BundleReport) => Object.keys(report.metafile.inputs)

describe("Lambda bundles", () => {
  layer(BundlesLayer, { timeout: 240_000, excludeTestServices: true })("built for this machine", (it) => {
    it.effect("contain no embedded store, no test servers and no test code; only api has the docs page", () =>
      Effect.gen(function*() {
        const { reports } = yield* Bundles
        assert.deepStrictEqual(reports.map((r) => r.name), ["api", "object-created", "sweep"])
        const forbidden = /(^|\/)(dynalite|classic-level|level|leveldown|memdown|s3rver)\/|apps\/src\/embedded\/|DynaliteServer|(^|\/)test\//
        for (const report of reports) {
          assert.deepStrictEqual(inputsOf(report).filter((input) => forbidden.test(input)), [], report.name)
          assert.isFalse(inputsOf(report).some((input) => input.includes("node_modules/sharp/")), `${report.name}: sharp is external`)
          const hasDocs = inputsOf(report).includes("apps/src/http/DocsRoutes.ts")
          const hasScalar = existsSync(join(report.dir, "node_modules", "@scalar", "api-reference", "dist", "browser", "standalone.js"))
          assert.strictEqual(hasDocs, report.name === "api", report.name)
          assert.strictEqual(hasScalar, report.name === "api", report.name)
          const hasSharp = existsSync(join(report.dir, "node_modules", "@img", `sharp-linux-${arch}`))
          assert.strictEqual(hasSharp, report.name !== "api", report.name)
        }
      }))

    it.effect("each loads as the Lambda runtime loads index.handler, in plain Node without type stripping", () =>
      Effect.gen(function*() {
        const { reports } = yield* Bundles
        const script = `
          const [file, name] = "index.handler".split(".")
          const module = await import(require("node:url").pathToFileURL(require("node:path").join(process.argv[1], file + ".mjs")).href)
          if (typeof module[name] !== "function") { console.error("no handler"); process.exit(3) }
          console.log("loaded")`
        for (const report of reports) {
          const run = spawnSync(process.execPath, ["--no-experimental-strip-types", "--input-type=commonjs", "-e", `(async () => {${script}})()`, report.dir], {
            encoding: "utf8",
            env: { PATH: process.env["PATH"] ?? "" }
          })
          assert.strictEqual(run.status, 0, `${report.name}: ${run.stderr}`)
          assert.strictEqual(run.stdout.trim(), "loaded", report.name)
        }
      }))

    it.effect("api answers the operational routes", () =>
      Effect.gen(function*() {
        assert.strictEqual((yield* api("GET", "/healthz")).statusCode, 200)
        assert.strictEqual((yield* api("GET", "/readyz")).statusCode, 200)
        const openapi = yield* api("GET", "/openapi.json")
        assert.strictEqual(openapi.statusCode, 200)
        assert.strictEqual(openapi.json.openapi.slice(0, 3), "3.1")
        const docs = yield* api("GET", "/docs")
        assert.include(docs.body, "Scalar.createApiReference")
        const script = yield* api("GET", "/docs/scalar.js")
        assert.strictEqual(script.statusCode, 200)
        assert.isAbove(script.body.length, 100_000)
        const missing = yield* api("GET", "/v1/media/nope", { authorization: "Bearer wrong" })
        assert.strictEqual(missing.statusCode, 401)
        assert.strictEqual(missing.json.error_code, "ACCESS_DENIED")
        assert.isString(missing.headers["x-request-id"])
      }))

    it.effect("upload-url, form POST to S3, SQS-wrapped notification, get, search, redelivery, other bucket, delete", () =>
      Effect.gen(function*() {
        const { bucket, s3 } = yield* Bundles
        const ticket = yield* api("POST", "/v1/media/upload-url", {
          body: { content_type: "image/png", entity_type: "shipment_item", entity_id: "B1|SKU-1|DAMAGED|D1" }
        })
        assert.strictEqual(ticket.statusCode, 200, ticket.body)
        const { fields, file_id: fileId, upload_url: uploadUrl } = ticket.json
        const form = new FormData()
        for (const [name, value] of Object.entries(fields as Record<string, string>)) form.append(name, value)
        form.append("file", new Blob([new Uint8Array(png)], { type: "image/png" }), "photo.png")
        const posted = yield* Effect.promise(() => fetch(uploadUrl, { method: "POST", body: form }))
        assert.strictEqual(posted.status, 204)
        const notification = yield* s3.takeEvent
        assert.include(JSON.stringify(notification), fileId)

        const first = yield* invoke("object-created", sqsOf(notification, "m1"))
        const key = `originals/10020/${fileId}`
        assert.deepStrictEqual(first, { batchItemFailures: [], results: [{ key, result: "ready" }] })
        const ready = yield* api("GET", `/v1/media/${fileId}`)
        assert.strictEqual(ready.json.status, "ready", ready.body)
        assert.match(ready.json.download_url, /^https:\/\/cdn\.example\.test\/images\//)

        // Redelivered by SQS: a no-op.
        const again = yield* invoke("object-created", sqsOf(notification, "m1"))
        assert.deepStrictEqual(again, { batchItemFailures: [], results: [{ key, result: "ready" }] })
        assert.strictEqual((yield* api("GET", `/v1/media/${fileId}`)).json.updated_at, ready.json.updated_at)

        // The same record for another bucket: ignored.
        const foreign = JSON.parse(JSON.stringify(notification).replaceAll(`"${bucket}"`, `"someone-elses"`))
        assert.deepStrictEqual(yield* invoke("object-created", sqsOf(foreign, "m2")), { batchItemFailures: [], results: [] })

        const found = yield* api("GET", "/v1/media/search", { query: "entity_type=shipment_item&entity_id=B1" })
        assert.strictEqual(found.statusCode, 200, found.body)
        assert.deepStrictEqual(found.json.files.map((f: { file_id: string }) => f.file_id), [fileId])

        assert.strictEqual((yield* api("DELETE", `/v1/media/${fileId}`)).statusCode, 204)
        assert.strictEqual((yield* api("GET", `/v1/media/${fileId}`)).statusCode, 404)
      }))

    it.effect("the sweep fails an abandoned upload with upload_expired and reports it", () =>
      Effect.gen(function*() {
        const ticket = yield* api("POST", "/v1/media/upload-url", {
          body: { content_type: "image/png", entity_type: "shipment_item", entity_id: "B2|SKU-1|DAMAGED|D1" }
        })
        const fileId = ticket.json.file_id as FileId
        // As if its URL had expired long ago.
        yield* Effect.gen(function*() {
          const repository = yield* FileRepository
          const record = Option.getOrThrow(yield* repository.get("10020" as AccountId, fileId))
          yield* repository.transition({ ...record, dueAt: 1, version: record.version + 1 }, record.version)
        }).pipe(Effect.provide(DynamoFileRepository.layer("media-bundles")))
        const swept = yield* invoke("sweep", { "detail-type": "Scheduled Event", source: "aws.events" })
        assert.deepStrictEqual(swept, { swept: 1, outcomes: { failed: 1 } })
        const after = yield* api("GET", `/v1/media/${fileId}`)
        assert.strictEqual(after.json.status, "failed")
        assert.strictEqual(after.json.failure_reason, "upload_expired")
        assert.deepStrictEqual(yield* invoke("sweep", {}), { swept: 0, outcomes: {} })
      }))
  })
})
