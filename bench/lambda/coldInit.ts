/**
 * Cold init of each Lambda bundle: a fresh plain-Node process (no type stripping) per sample,
 * timing the import of `index.mjs` and the first invocation (layer build + the request), as a
 * new Lambda container does. The processing bundles need sharp for this machine:
 *   node infra/bundle/bundleLambdas.ts --arch x64 && node bench/lambda/coldInit.ts [--samples 7]
 * Dependencies are local: a credentials file, a generated CDN key, dynalite on loopback (for the
 * sweep's first query; the api's /healthz and object-created's s3:TestEvent touch no network).
 */
import { execFile } from "node:child_process"
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs"
import { cpus, loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { generateKeyPair } from "@media-object-storage/adapters/cloudfront/CloudFrontKeys"
import { makeDocumentClient } from "@media-object-storage/adapters/dynamodb/DynamoTable"
import { createTable } from "@media-object-storage/adapters/dynamodb/TableSchema"
import { startDynalite } from "../../test/support/dynamodbLocal.ts"
import { repoRoot } from "../../infra/bundle/bundleLambdas.ts"

const samples = Number(process.argv[process.argv.indexOf("--samples") + 1]) || 7

const events: Record<string, unknown> = {
  api: {
    version: "2.0", rawPath: "/healthz", rawQueryString: "", headers: { host: "bench" },
    requestContext: { domainName: "bench", http: { method: "GET" } }, isBase64Encoded: false
  },
  "object-created": { Service: "Amazon S3", Event: "s3:TestEvent", Bucket: "bench" },
  sweep: { "detail-type": "Scheduled Event", source: "aws.events" }
}

// Runs in the fresh process: times import and first invocation with the process's own clock.
const probe = `
const { performance } = require("node:perf_hooks")
const { pathToFileURL } = require("node:url")
;(async () => {
  const t0 = performance.now()
  const m = await import(pathToFileURL(process.argv[1]).href)
  const t1 = performance.now()
  const result = await m.handler(JSON.parse(process.argv[2]), { awsRequestId: "bench" })
  const t2 = performance.now()
  console.log(JSON.stringify({ importMs: t1 - t0, firstInvokeMs: t2 - t1, processUptimeMs: performance.now(), result }))
  process.exit(0)
})()`

const sizeOf = (path: string): number =>
  statSync(path).isDirectory() ? readdirSync(path).reduce((t, e) => t + sizeOf(join(path, e)), 0) : statSync(path).size

const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

const main = Effect.gen(function*() {
  const dir = mkdtempSync(join(tmpdir(), "media-cold-"))
  writeFileSync(join(dir, "credentials.json"), JSON.stringify({ credentials: [] }), { mode: 0o600 })
  const keys = yield* generateKeyPair()
  const dynamo = yield* Effect.promise(() => startDynalite())
  const credentials = { accessKeyId: "bench", secretAccessKey: "bench" }
  yield* createTable(yield* makeDocumentClient({ endpoint: dynamo.endpoint, region: "us-east-1", credentials }), "bench")
  const env = {
    PATH: process.env["PATH"] ?? "",
    MEDIA_MODE: "aws", MEDIA_BUCKET: "bench", MEDIA_TABLE: "bench", MEDIA_LOG_LEVEL: "warn",
    MEDIA_AUTH_FILE: join(dir, "credentials.json"), MEDIA_CDN_URL: "https://cdn.bench",
    MEDIA_CDN_KEY_PAIR_ID: keys.keyPairId, MEDIA_CDN_PRIVATE_KEY: keys.privateKeyPem,
    AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "bench", AWS_SECRET_ACCESS_KEY: "bench",
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint, AWS_ENDPOINT_URL_S3: "http://127.0.0.1:9"
  }
  console.log(`# cold init, ${samples} fresh processes per bundle, ${new Date().toISOString()}`)
  console.log(`# ${cpus()[0]?.model ?? "?"} x${cpus().length}, Node ${process.version}, load ${loadavg().map((l) => l.toFixed(1)).join(" ")}`)
  console.log("| bundle | size MiB | import ms (median) | first invocation ms (median) | import + first ms (median, min-max) | process uptime ms (median) |")
  console.log("|---|---|---|---|---|---|")
  for (const name of ["api", "object-created", "sweep"]) {
    const bundle = join(repoRoot, "dist", "lambda", name)
    const runs: Array<{ importMs: number; firstInvokeMs: number; processUptimeMs: number }> = []
    for (let i = 0; i < samples; i++) {
      // Asynchronously: dynalite answers from this process's event loop.
      const stdout = yield* Effect.promise(() =>
        new Promise<string>((resolve, reject) =>
          execFile(process.execPath, ["--no-experimental-strip-types", "-e", probe, join(bundle, "index.mjs"), JSON.stringify(events[name])], {
            env
          }, (error, out, err) => error === null ? resolve(out) : reject(new Error(`${name}: ${err}`)))
        )
      )
      runs.push(JSON.parse(stdout.trim().split("\n").at(-1)!))
    }
    const totals = runs.map((r) => r.importMs + r.firstInvokeMs)
    console.log(`| ${name} | ${(sizeOf(bundle) / 2 ** 20).toFixed(1)} | ${median(runs.map((r) => r.importMs)).toFixed(0)} | ${median(runs.map((r) => r.firstInvokeMs)).toFixed(0)} | ${median(totals).toFixed(0)} (${Math.min(...totals).toFixed(0)}-${Math.max(...totals).toFixed(0)}) | ${median(runs.map((r) => r.processUptimeMs)).toFixed(0)} |`)
  }
  yield* Effect.promise(() => dynamo.stop())
  rmSync(dir, { recursive: true, force: true })
})

Effect.runPromise(Effect.scoped(main)).then(() => process.exit(0), (error) => {
  console.error(error)
  process.exit(1)
})
