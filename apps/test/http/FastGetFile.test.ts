// The lean GET /v1/media/{file_id} route (FastGetFile.ts) against the HttpApi route it stands in for:
// two servers on the same ports, one with `fastReads`, one without, get the same requests; status,
// the headers that matter, the body bytes and the access-log line must be the same.
import { assert, describe, layer } from "@effect/vitest"
import { request as httpRequest } from "node:http"
import { exportSPKI, generateKeyPair, SignJWT } from "jose"
import { Context, Effect, Layer, Logger } from "effect"
import { HttpServer } from "effect/http"
import * as CredentialsAuthenticator from "@media-object-storage/adapters/auth/CredentialsAuthenticator"
import { Cursors } from "@media-object-storage/core/Cursors"
import type { FileRecord } from "@media-object-storage/core/FileRecord"
import type { AccountId, FileId } from "@media-object-storage/core/Ids"
import * as MemoryFileRepository from "@media-object-storage/core/memory/MemoryFileRepository"
import * as MemoryObjectStore from "@media-object-storage/core/memory/MemoryObjectStore"
import * as MemoryUrlSigner from "@media-object-storage/core/memory/MemoryUrlSigner"
import { Authenticator } from "@media-object-storage/core/ports/Authenticator"
import { FileIds } from "@media-object-storage/core/ports/FileIds"
import { FileRepository, RepositoryError } from "@media-object-storage/core/ports/FileRepository"
import { makeFrontRoutes } from "../../src/http/FrontRoutes.ts"
import { MediaHttpRoutes, serve } from "../../src/http/HttpApp.ts"
import { defaultHttpConfig, HttpConfig, type HttpConfigShape } from "../../src/http/HttpConfig.ts"
import { Readiness } from "../../src/http/Readiness.ts"

const ids = {
  ready: "0b7e8e0a-3c1e-4b8e-9d0f-6a1f2e3d4c5b",
  uploading: "1b7e8e0a-3c1e-4b8e-9d0f-6a1f2e3d4c5b",
  failed: "2b7e8e0a-3c1e-4b8e-9d0f-6a1f2e3d4c5b",
  otherAccount: "3b7e8e0a-3c1e-4b8e-9d0f-6a1f2e3d4c5b",
  /** The repository fails for this one (a 500). */
  broken: "4b7e8e0a-3c1e-4b8e-9d0f-6a1f2e3d4c5b",
  unknown: "5b7e8e0a-3c1e-4b8e-9d0f-6a1f2e3d4c5b"
} as const

const record = (fileId: string, accountId: string, fields: Partial<FileRecord>): FileRecord => ({
  fileId: fileId as FileId,
  accountId: accountId as AccountId,
  entityType: "shipment_item",
  entityId: "1RT823V93|SKU-001|DAMAGED|D-1" as FileRecord["entityId"],
  contentType: "image/png",
  status: "uploading",
  fileSize: 0,
  createdAt: 1_790_000_000,
  updatedAt: 1_790_000_010,
  version: 1,
  attempts: 0,
  uploadExpiresAt: 1_790_000_900,
  ...fields
})

const ready = { status: "ready", contentType: "image/jpeg", fileSize: 734_112, attempts: 1, width: 2000, height: 1500 } as const

/** The memory repository, failing `get` for `ids.broken` with a message that must not reach clients. */
const repository = Layer.effect(
  FileRepository,
  Effect.gen(function*() {
    const real = yield* FileRepository
    return FileRepository.of({
      ...real,
      get: (accountId, fileId) =>
        fileId === ids.broken
          ? Effect.fail(new RepositoryError({ operation: "get", cause: new Error("db password=hunter2 refused") }))
          : real.get(accountId, fileId)
    })
  })
).pipe(Layer.provide(MemoryFileRepository.layerMemory))

const basic = (pair: string) => ({ authorization: `Basic ${Buffer.from(pair).toString("base64")}` })

interface Keys {
  readonly pem: string
  readonly jwt: (claims: Record<string, unknown>, expiresIn: number) => Promise<string>
}
const jwtKeys = Effect.promise(async (): Promise<Keys> => {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true })
  return {
    pem: await exportSPKI(publicKey),
    jwt: (claims, expiresIn) => {
      const now = Math.floor(Date.now() / 1000)
      return new SignJWT(claims).setProtectedHeader({ alg: "RS256" }).setIssuedAt(now).setExpirationTime(now + expiresIn).sign(privateKey)
    }
  }
})

class Fixture extends Context.Service<Fixture, {
  readonly lean: string
  readonly httpApi: string
  readonly taken: () => number
  readonly jwt: Keys["jwt"]
  readonly logs: Array<Record<string, unknown>>
}>()("apps/test/FastGetFileFixture") {}

/** The credentials-file Authenticator (Basic, static token) with JWTs, cheap scrypt parameters. */
const authenticator = (pem: string) =>
  Layer.effect(
    Authenticator,
    CredentialsAuthenticator.make({
      credentials: [
        { account_id: "acct-a", api_id: "reader-a", password: "pw-reader", permissions: ["media:read"] },
        { account_id: "acct-a", api_id: "nothing-a", password: "pw-nothing", permissions: ["media:write"] },
        { account_id: "acct-b", token: "token-b", permissions: ["media:read"] }
      ]
    }, { hashParams: { N: 1024, r: 8, p: 1 }, jwt: { publicKeyPem: pem } })
  )

const layerFixture = (config: Partial<HttpConfigShape>) =>
  Layer.effect(
    Fixture,
    Effect.gen(function*() {
      const keys = yield* jwtKeys
      const logs: Array<Record<string, unknown>> = []
      const capture = Logger.map(Logger.formatStructured, (entry) => {
        logs.push(entry.annotations)
      })
      const ports = Layer.mergeAll(
        repository,
        MemoryObjectStore.layerMemory,
        MemoryUrlSigner.layerMemory,
        authenticator(keys.pem),
        FileIds.layer,
        Cursors.layerTest,
        Readiness.layerAlwaysReady,
        Logger.layer([capture])
      )
      const context = yield* Layer.build(ports)
      const repo = Context.get(context, FileRepository)
      yield* repo.create(record(ids.ready, "acct-a", ready))
      yield* repo.create(record(ids.uploading, "acct-a", {}))
      yield* repo.create(record(ids.failed, "acct-a", { status: "failed", failureReason: "corrupt_image", fileSize: 12 }))
      yield* repo.create(record(ids.otherAccount, "acct-b", ready))
      const front = makeFrontRoutes()
      const serveWith = (fastReads: boolean) =>
        Layer.build(
          serve(MediaHttpRoutes, { port: 0, host: "127.0.0.1", ...(fastReads ? { front } : {}) }).pipe(
            Layer.provide(Layer.succeed(HttpConfig, { ...defaultHttpConfig, logRequests: true, ...config, fastReads }))
          )
        ).pipe(
          Effect.provideContext(context),
          Effect.map((built) => {
            const { address } = Context.get(built, HttpServer.HttpServer)
            return `http://127.0.0.1:${(address as { readonly port: number }).port}`
          })
        )
      return Fixture.of({ lean: yield* serveWith(true), httpApi: yield* serveWith(false), taken: front.taken, jwt: keys.jwt, logs })
    })
  )

interface Raw {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
}

/** Headers a client or proxy reads; Date, Connection and Keep-Alive are Node's own. */
const compared = (headers: Record<string, string | Array<string> | undefined>): Record<string, string> => {
  const kept: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (["date", "connection", "keep-alive"].includes(name) || value === undefined) continue
    kept[name] = Array.isArray(value) ? value.join(", ") : value
  }
  return kept
}

/** One request over a fresh connection, read as raw bytes (fetch would hide what HEAD and errors send). */
const send = (origin: string, method: string, path: string, headers: Record<string, string>, body?: string) =>
  Effect.callback<Raw>((resume) => {
    const request = httpRequest(`${origin}${path}`, { method, headers, agent: false }, (response) => {
      const chunks: Array<Buffer> = []
      response.on("data", (chunk: Buffer) => chunks.push(chunk))
      response.on("end", () =>
        resume(Effect.succeed({
          status: response.statusCode!,
          headers: compared(response.headers),
          body: Buffer.concat(chunks).toString("utf8")
        })))
    })
    request.on("error", (error) => resume(Effect.die(error)))
    request.end(body)
  })

interface Case {
  readonly name: string
  readonly method?: string
  readonly path: string
  readonly headers?: Record<string, string>
  readonly body?: string
  /** Whether the lean route answers it (the rest it leaves to HttpApi). */
  readonly lean: boolean
  readonly status: number
}

const reader = basic("reader-a:pw-reader")

const cases = (jwt: { valid: string; expired: string; noScope: string }): ReadonlyArray<Case> => [
  { name: "ready file, Basic", path: `/v1/media/${ids.ready}`, headers: reader, lean: true, status: 200 },
  { name: "ready file, HEAD", method: "HEAD", path: `/v1/media/${ids.ready}`, headers: reader, lean: true, status: 200 },
  { name: "ready file, unknown query parameter", path: `/v1/media/${ids.ready}?x=1&y`, headers: reader, lean: true, status: 200 },
  { name: "uploading file", path: `/v1/media/${ids.uploading}`, headers: reader, lean: true, status: 200 },
  { name: "failed file", path: `/v1/media/${ids.failed}`, headers: reader, lean: true, status: 200 },
  { name: "JWT", path: `/v1/media/${ids.ready}`, headers: { authorization: `Bearer ${jwt.valid}` }, lean: true, status: 200 },
  { name: "static token of another account", path: `/v1/media/${ids.otherAccount}`, headers: { authorization: "Bearer token-b" }, lean: true, status: 200 },
  { name: "another account's file", path: `/v1/media/${ids.ready}`, headers: { authorization: "Bearer token-b" }, lean: true, status: 404 },
  { name: "unknown file", path: `/v1/media/${ids.unknown}`, headers: reader, lean: true, status: 404 },
  { name: "no credentials", path: `/v1/media/${ids.ready}`, lean: true, status: 401 },
  { name: "no credentials, HEAD", method: "HEAD", path: `/v1/media/${ids.ready}`, lean: true, status: 401 },
  { name: "wrong password", path: `/v1/media/${ids.ready}`, headers: basic("reader-a:wrong"), lean: true, status: 401 },
  { name: "unknown api_id", path: `/v1/media/${ids.ready}`, headers: basic("nobody:pw-reader"), lean: true, status: 401 },
  { name: "lower-case scheme", path: `/v1/media/${ids.ready}`, headers: { authorization: reader.authorization.replace("Basic", "basic") }, lean: true, status: 200 },
  { name: "unknown scheme", path: `/v1/media/${ids.ready}`, headers: { authorization: "Token x" }, lean: true, status: 401 },
  { name: "wrong token", path: `/v1/media/${ids.ready}`, headers: { authorization: "Bearer nope" }, lean: true, status: 401 },
  { name: "expired JWT", path: `/v1/media/${ids.ready}`, headers: { authorization: `Bearer ${jwt.expired}` }, lean: true, status: 401 },
  { name: "JWT without the scope", path: `/v1/media/${ids.ready}`, headers: { authorization: `Bearer ${jwt.noScope}` }, lean: true, status: 403 },
  { name: "no media:read permission", path: `/v1/media/${ids.ready}`, headers: basic("nothing-a:pw-nothing"), lean: true, status: 403 },
  { name: "repository fails", path: `/v1/media/${ids.broken}`, headers: reader, lean: true, status: 500 },
  { name: "CORS origin", path: `/v1/media/${ids.ready}`, headers: { ...reader, origin: "https://pos.example" }, lean: true, status: 200 },
  { name: "CORS other origin", path: `/v1/media/${ids.unknown}`, headers: { ...reader, origin: "https://evil.example" }, lean: true, status: 404 },
  // Left to HttpApi: the lean route takes well-formed ids without a body or an escape in the query only.
  { name: "malformed id", path: "/v1/media/not-a-uuid", headers: reader, lean: false, status: 404 },
  { name: "upper-case id", path: `/v1/media/${ids.ready.toUpperCase()}`, headers: reader, lean: false, status: 404 },
  { name: "path not UTF-8", path: "/v1/media/%FF", headers: reader, lean: false, status: 400 },
  { name: "query not UTF-8", path: `/v1/media/${ids.ready}?x=%FF`, headers: reader, lean: false, status: 400 },
  { name: "valid escape in the query", path: `/v1/media/${ids.ready}?x=%41`, headers: reader, lean: false, status: 200 },
  { name: "trailing slash", path: `/v1/media/${ids.ready}/`, headers: reader, lean: false, status: 200 },
  { name: "GET with a body", path: `/v1/media/${ids.ready}`, headers: { ...reader, "content-type": "application/json", "content-length": "2" }, body: "{}", lean: false, status: 200 },
  { name: "wrong method", method: "PUT", path: `/v1/media/${ids.ready}`, headers: reader, lean: false, status: 405 },
  { name: "preflight", method: "OPTIONS", path: `/v1/media/${ids.ready}`, headers: { origin: "https://pos.example", "access-control-request-method": "GET" }, lean: false, status: 204 }
]

const sameAnswers = Effect.gen(function*() {
  const fixture = yield* Fixture
  const jwt = {
    valid: yield* Effect.promise(() => fixture.jwt({ account_id: "acct-a", scope: "media:read" }, 3600)),
    expired: yield* Effect.promise(() => fixture.jwt({ account_id: "acct-a", scope: "media:read" }, -3600)),
    noScope: yield* Effect.promise(() => fixture.jwt({ account_id: "acct-a", scope: "media:write" }, 3600))
  }
  for (const [index, c] of cases(jwt).entries()) {
    const requestId = `case-${index}`
    const headers = { ...c.headers, "x-request-id": requestId }
    const takenBefore = fixture.taken()
    const lean = yield* send(fixture.lean, c.method ?? "GET", c.path, headers, c.body)
    assert.strictEqual(fixture.taken() - takenBefore, c.lean ? 1 : 0, `${c.name}: taken by the lean route`)
    const httpApi = yield* send(fixture.httpApi, c.method ?? "GET", c.path, headers, c.body)
    assert.strictEqual(fixture.taken() - takenBefore, c.lean ? 1 : 0, `${c.name}: the other server has no lean route`)
    assert.strictEqual(httpApi.status, c.status, `${c.name}: ${httpApi.body}`)
    assert.deepStrictEqual(lean, httpApi, c.name)
    assert.strictEqual(lean.headers["x-request-id"], requestId, c.name)
    assert.notInclude(lean.body, "hunter2")
    // One access-log line each, alike but for the duration.
    const lines = fixture.logs.filter((l) => l.request_id === requestId && l.status !== undefined)
    assert.strictEqual(lines.length, 2, `${c.name}: access-log lines`)
    const [first, second] = lines.map(({ duration_ms, ...rest }) => {
      assert.isNumber(duration_ms)
      return rest
    })
    assert.deepStrictEqual(first, second, `${c.name}: access log`)
  }
  // The 500's cause is logged server-side by both routes, with the request id.
  const failures = fixture.logs.filter((l) => l.request_id === `case-${cases(jwt).findIndex((c) => c.status === 500)}` && l.status === undefined)
  assert.strictEqual(failures.length, 2)
})

describe("FastGetFile", () => {
  layer(layerFixture({}), { excludeTestServices: true })((it) => {
    it.effect("answers like the HttpApi route, byte for byte, for success and every error; leaves the rest to it", () => sameAnswers)

    it.effect("a request id the client did not send (or sent malformed) is a new UUID in the header and the body", () =>
      Effect.gen(function*() {
        const { lean } = yield* Fixture
        for (const headers of [{}, { "x-request-id": "has space" }]) {
          const reply = yield* send(lean, "GET", `/v1/media/${ids.unknown}`, { ...reader, ...headers })
          assert.strictEqual(reply.status, 404)
          assert.match(reply.headers["x-request-id"] ?? "", /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
          assert.strictEqual(JSON.parse(reply.body).request_id, reply.headers["x-request-id"])
        }
      }))
  })

  describe("with configured CORS origins", () => {
    layer(layerFixture({ corsOrigins: ["https://pos.example", "https://office.example"] }), { excludeTestServices: true })((it) => {
      it.effect("answers like the HttpApi route, byte for byte", () => sameAnswers)
    })
  })

  describe("with one CORS origin", () => {
    layer(layerFixture({ corsOrigins: ["https://pos.example"] }), { excludeTestServices: true })((it) => {
      it.effect("answers like the HttpApi route, byte for byte", () => sameAnswers)
    })
  })
})
