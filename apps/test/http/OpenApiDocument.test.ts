/**
 * The served `/openapi.json` tells the truth: redocly (recommended rules,
 * examples checked as errors) finds nothing, the document states what the
 * server enforces, and its examples are requests the server accepts.
 */
import { assert, describe, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { execFile } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { defaultMediaConfig, MediaConfig } from "@media-object-storage/core/MediaConfig"
import { bearer, call, jsonBody, layerTestServer } from "./support.ts"

const root = fileURLToPath(new URL("../../../", import.meta.url))
const redoclyCli = join(dirname(createRequire(import.meta.url).resolve("@redocly/cli/package.json")), "bin", "cli.js")

interface LintReport {
  readonly totals: { readonly errors: number; readonly warnings: number }
  readonly problems: ReadonlyArray<{ readonly ruleId: string; readonly message: string }>
}

/**
 * `redocly lint` with the repository's redocly.yaml, on Node running this test.
 * Offline: telemetry is off (env and config) and the update check is suppressed;
 * without them the CLI resolves a telemetry host on every run.
 */
const redoclyLint = (document: unknown) =>
  Effect.acquireUseRelease(
    Effect.sync(() => mkdtempSync(join(tmpdir(), "openapi-lint-"))),
    (dir) =>
      Effect.callback<LintReport, Error>((resume) => {
        const file = join(dir, "openapi.json")
        writeFileSync(file, JSON.stringify(document, null, 2))
        execFile(
          process.execPath,
          [redoclyCli, "lint", "--config", join(root, "redocly.yaml"), "--format", "json", file],
          {
            cwd: dir,
            env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" },
            maxBuffer: 16 * 1024 * 1024
          },
          // A failed lint exits 1 and still prints its report.
          (error, stdout, stderr) => {
            try {
              resume(Effect.succeed(JSON.parse(stdout) as LintReport))
            } catch {
              resume(Effect.fail(new Error(`redocly gave no report (${error?.message}): ${stderr}`)))
            }
          }
        )
      }),
    (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
  )

const operations = (spec: any): Array<[string, string, any]> =>
  Object.entries(spec.paths).flatMap(([path, item]: [string, any]) =>
    Object.entries(item).map(([method, operation]) => [path, method, operation] as [string, string, any])
  )

const resolveHeader = (spec: any, header: any) =>
  header.$ref === undefined ? header : spec.components.headers[header.$ref.split("/").at(-1)]

describe("OpenAPI document", () => {
  const config = Layer.succeed(MediaConfig, { ...defaultMediaConfig, maxUploadBytes: 5_000_000 })
  layer(layerTestServer({ overrides: config }))((it) => {
    it.effect("passes redocly lint (recommended rules, every example checked) without a single problem", () =>
      Effect.gen(function*() {
        const spec = (yield* call("/openapi.json")).json
        const report = yield* redoclyLint(spec)
        assert.deepStrictEqual(report.problems.map((p) => `${p.ruleId}: ${p.message}`), [])
        assert.deepStrictEqual(report.totals, { ...report.totals, errors: 0, warnings: 0 })
      }), 60_000)

    it.effect("states the values the server enforces: limit, enums, file_size bounds from the configuration, strict bodies", () =>
      Effect.gen(function*() {
        const spec = (yield* call("/openapi.json")).json
        const search = spec.paths["/v1/media/search"].get
        const parameter = (name: string) => search.parameters.find((p: any) => p.name === name)
        assert.deepStrictEqual(
          { ...parameter("limit").schema, description: undefined },
          { type: "integer", minimum: 1, maximum: 100, default: 25, description: undefined }
        )
        assert.deepStrictEqual(parameter("entity_type").schema.enum, ["shipment_item"])

        const request = spec.components.schemas.UploadUrlRequest
        assert.isFalse(request.additionalProperties)
        assert.deepStrictEqual(request.properties.content_type.enum, ["image/jpeg", "image/png", "image/webp", "image/gif"])
        assert.include(request.properties.content_type.description, "ase-insensitive")
        assert.deepStrictEqual(request.properties.entity_type.enum, ["shipment_item"])
        assert.strictEqual(request.properties.file_size.type, "integer")
        assert.strictEqual(request.properties.file_size.minimum, 1)
        assert.strictEqual(request.properties.file_size.maximum, 5_000_000)
        assert.strictEqual(spec.components.schemas.File.properties.entity_type.enum[0], "shipment_item")
        assert.isAbove(spec.servers.length, 0)
      }))

    it.effect("every response documents x-request-id, a 401 WWW-Authenticate; 413/415 only where a body is read; route errors are described", () =>
      Effect.gen(function*() {
        const spec = (yield* call("/openapi.json")).json
        for (const [path, method, operation] of operations(spec)) {
          const where = `${method} ${path}`
          for (const [status, response] of Object.entries<any>(operation.responses)) {
            const headers = response.headers ?? {}
            assert.property(headers, "x-request-id", `${where} ${status}`)
            assert.strictEqual(resolveHeader(spec, headers["x-request-id"]).schema.type, "string")
            if (status === "401") assert.property(headers, "WWW-Authenticate", where)
          }
          if (operation.requestBody === undefined) {
            assert.notProperty(operation.responses, "413", where)
            assert.notProperty(operation.responses, "415", where)
          }
        }
        assert.property(spec.paths["/v1/media/upload-url"].post.responses, "415")
        assert.match(spec.info.description, /\| 404 \| INVALID_REQUEST \| no route/)
        assert.match(spec.info.description, /\| 405 \| INVALID_REQUEST \|.*`Allow`/)
      }))

    it.effect("the examples are requests that succeed (what the docs' try-it sends)", () =>
      Effect.gen(function*() {
        const spec = (yield* call("/openapi.json")).json
        const [example] = spec.components.schemas.UploadUrlRequest.examples
        const upload = yield* call("/v1/media/upload-url", jsonBody(example, "writerA"))
        assert.strictEqual(upload.status, 200, upload.text)
        const query = spec.paths["/v1/media/search"].get.parameters
          .filter((p: any) => p.required)
          .map((p: any) => `${p.name}=${encodeURIComponent(p.schema.examples?.[0] ?? p.schema.enum?.[0])}`)
          .join("&")
        const search = yield* call(`/v1/media/search?${query}`, { headers: bearer("readerA") })
        assert.strictEqual(search.status, 200, search.text)
        assert.include(search.json.files.map((f: any) => f.file_id), upload.json.file_id)
      }))
  })
})
