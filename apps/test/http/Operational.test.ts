import { assert, describe, layer } from "@effect/vitest"
import { Effect, Layer, Logger, Option } from "effect"
import { FileRepository, RepositoryError } from "@media-object-storage/core/ports/FileRepository"
import { Readiness } from "../../src/http/Readiness.ts"
import { assertError, bearer, call, layerTestServer } from "./support.ts"

layer(layerTestServer())("operational routes", (it) => {
  it.effect("healthz and readyz answer 200 {status: ok} without credentials", () =>
    Effect.gen(function*() {
      for (const path of ["/healthz", "/readyz"]) {
        const reply = yield* call(path)
        assert.strictEqual(reply.status, 200)
        assert.deepStrictEqual(reply.json, { status: "ok" })
      }
    }))

  it.effect("openapi.json is OpenAPI 3.1 generated from the API, with every path, security and error schemas", () =>
    Effect.gen(function*() {
      const reply = yield* call("/openapi.json")
      assert.strictEqual(reply.status, 200)
      const spec = reply.json
      assert.strictEqual(spec.openapi, "3.1.0")
      assert.deepStrictEqual(Object.keys(spec.paths).sort(), [
        "/healthz",
        "/readyz",
        "/v1/media/search",
        "/v1/media/upload-url",
        "/v1/media/{file_id}"
      ])
      assert.deepStrictEqual(Object.keys(spec.paths["/v1/media/{file_id}"]).sort(), ["delete", "get"])
      assert.deepStrictEqual(Object.keys(spec.components.securitySchemes).sort(), ["basic", "bearer"])
      const get = spec.paths["/v1/media/{file_id}"].get
      assert.deepStrictEqual(get.security, [{ basic: [] }, { bearer: [] }])
      for (const status of ["200", "400", "401", "403", "404", "500"]) assert.property(get.responses, status)
      assert.deepStrictEqual(spec.paths["/healthz"].get.security, [])
      const notFound = spec.components.schemas[get.responses["404"].content["application/json"].schema.$ref.split("/").at(-1)]
      assert.deepStrictEqual(notFound.required.sort(), ["error_code", "error_data", "request_id"])
      assert.property(spec.components.schemas, "File")
    }))

  it.effect("docs page works offline: local Scalar bundle, the generated spec, no CDN", () =>
    Effect.gen(function*() {
      const page = yield* call("/docs")
      assert.strictEqual(page.status, 200)
      assert.include(page.headers.get("content-type") ?? "", "text/html")
      assert.include(page.text, `<script src="/docs/scalar.js"></script>`)
      assert.include(page.text, `"url":"/openapi.json"`)
      assert.include(page.text, `"withDefaultFonts":false`)
      assert.notMatch(page.text, /https?:\/\//)
      const script = yield* call("/docs/scalar.js")
      assert.strictEqual(script.status, 200)
      assert.include(script.headers.get("content-type") ?? "", "javascript")
      assert.isAbove(script.text.length, 1_000_000)
      assert.include(script.text, "createApiReference")
    }))

  it.effect("CORS: preflights are answered for any origin by default, exposing x-request-id", () =>
    Effect.gen(function*() {
      const preflight = yield* call("/v1/media/upload-url", {
        method: "OPTIONS",
        headers: {
          origin: "https://pos.example",
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization,content-type"
        }
      })
      assert.strictEqual(preflight.status, 204)
      assert.strictEqual(preflight.headers.get("access-control-allow-origin"), "*")
      assert.include(preflight.headers.get("access-control-allow-headers") ?? "", "authorization")
      assert.include(preflight.headers.get("access-control-allow-headers") ?? "", "content-type")
      assert.include(preflight.headers.get("access-control-allow-methods") ?? "", "DELETE")
      const actual = yield* call("/v1/media/search?entity_type=shipment_item&entity_id=S1", {
        headers: { origin: "https://pos.example", ...bearer("readerA") }
      })
      assert.strictEqual(actual.headers.get("access-control-allow-origin"), "*")
      assert.strictEqual(actual.headers.get("access-control-expose-headers"), "x-request-id")
      // Error responses carry CORS headers too, or browsers could not read them.
      const denied = yield* call("/v1/media/search?entity_type=shipment_item&entity_id=S1", {
        headers: { origin: "https://pos.example" }
      })
      assert.strictEqual(denied.status, 401)
      assert.strictEqual(denied.headers.get("access-control-allow-origin"), "*")
    }))
})

describe("CORS with configured origins", () => {
  layer(layerTestServer({ config: { corsOrigins: ["https://pos.example", "https://office.example"] } }))((it) => {
    it.effect("allows only the listed origins", () =>
      Effect.gen(function*() {
        const preflight = (origin: string) =>
          call("/v1/media/upload-url", {
            method: "OPTIONS",
            headers: { origin, "access-control-request-method": "POST" }
          })
        assert.strictEqual((yield* preflight("https://office.example")).headers.get("access-control-allow-origin"), "https://office.example")
        assert.isNull((yield* preflight("https://evil.example")).headers.get("access-control-allow-origin"))
      }))
  })
})

describe("readiness", () => {
  const down = Layer.succeed(Readiness, Readiness.of({ check: Effect.fail("table unreachable") }))
  layer(layerTestServer({ readiness: down }))((it) => {
    it.effect("readyz is 503 in the error shape when the check fails; healthz stays 200", () =>
      Effect.gen(function*() {
        const reply = yield* call("/readyz")
        assertError(reply, 503, "INTERNAL_ERROR")
        assert.include(reply.json.error_data.message, "not ready")
        assert.notInclude(reply.text, "unreachable")
        assert.strictEqual((yield* call("/healthz")).status, 200)
      }))
  })
})

interface Entry {
  readonly message: unknown
  readonly level: string
  readonly cause: string | undefined
  readonly annotations: Record<string, unknown>
}

describe("access log", () => {
  const entries: Array<Entry> = []
  const capture = Logger.map(Logger.formatStructured, (entry) => {
    entries.push(entry)
  })
  const failingSearch = Layer.succeed(FileRepository, FileRepository.of({
    create: () => Effect.void,
    get: () => Effect.succeed(Option.none()),
    transition: () => Effect.void,
    delete: () => Effect.succeed(Option.none()),
    search: () => Effect.fail(new RepositoryError({ operation: "search", cause: new Error("socket hang up") })),
    listDue: () => Effect.succeed([])
  }))
  const overrides = Layer.mergeAll(Logger.layer([capture]), failingSearch)
  layer(layerTestServer({ config: { logRequests: true }, overrides }))((it) => {
    it.effect("one JSON-ready line per request with method, path, status, duration, request and account ids; never secrets", () =>
      Effect.gen(function*() {
        entries.length = 0
        const reply = yield* call(`/v1/media/${globalThis.crypto.randomUUID()}?token=secretquery`, {
          headers: { ...bearer("readerA"), "x-request-id": "log-test-1" }
        })
        assert.strictEqual(reply.status, 404)
        const lines = entries.filter((entry) => entry.annotations.request_id === "log-test-1")
        assert.strictEqual(lines.length, 1)
        const { annotations } = lines[0]!
        assert.strictEqual(annotations.method, "GET")
        assert.match(String(annotations.path), /^\/v1\/media\/[0-9a-f-]{36}$/)
        assert.strictEqual(annotations.status, 404)
        assert.strictEqual(annotations.account_id, "acct-a")
        assert.isNumber(annotations.duration_ms)
        const all = JSON.stringify(entries)
        assert.notInclude(all, "readerA")
        assert.notInclude(all, "secretquery")

        yield* call("/healthz", { headers: { "x-request-id": "log-test-2" } })
        const anonymous = entries.filter((entry) => entry.annotations.request_id === "log-test-2")
        assert.strictEqual(anonymous.length, 1)
        assert.isFalse("account_id" in anonymous[0]!.annotations)
      }))

    it.effect("a 500 logs its cause server-side with the request id", () =>
      Effect.gen(function*() {
        entries.length = 0
        const reply = yield* call("/v1/media/search?entity_type=shipment_item&entity_id=S1", {
          headers: { ...bearer("readerA"), "x-request-id": "log-test-3" }
        })
        assert.strictEqual(assertError(reply, 500, "INTERNAL_ERROR"), "internal error")
        assert.notInclude(reply.text, "socket hang up")
        const errors = entries.filter((entry) => entry.level === "ERROR" && entry.annotations.request_id === "log-test-3")
        assert.strictEqual(errors.length, 1)
        assert.include(errors[0]!.cause ?? "", "socket hang up")
      }))
  })
})
