/**
 * The Fastify 5 contender for `GET /v1/media/{id}`, written the way a typical
 * team would: an `onRequest` hook checks Basic auth against the scrypt hash
 * of the password (a verified header is cached, so repeats cost a Map lookup),
 * the file comes from an in-memory Map, its two CloudFront URLs are signed
 * with the key parsed once and cached per (key, expiry rounded up to the
 * minute), and the reply is serialised from a response schema
 * (fast-json-stringify) in the same JSON shape as ours. It also answers with
 * an `x-request-id` (the client's or a new UUID), 401/403/404 error bodies of
 * our shape, and `access-control-allow-origin: *`. Logging is off (Fastify's default).
 * Sends `{ port, fileId, authorization }` to the parent over IPC.
 */
import { getSignedUrl } from "@aws-sdk/cloudfront-signer"
import { createPrivateKey, generateKeyPairSync, randomBytes, randomUUID, scryptSync, timingSafeEqual } from "node:crypto"
import type { AddressInfo } from "node:net"
import Fastify from "fastify"

const accountId = "10020"
const apiId = "10020-bench"
const password = "bench-password-0123456789abcdef"
const authorization = `Basic ${Buffer.from(`${apiId}:${password}`).toString("base64")}`
const cdnBase = "http://127.0.0.1:8080/cdn"

// The credential as a team would store it: a salted scrypt hash, never the password.
const salt = randomBytes(16)
const scryptParams = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }
const stored = { apiId, accountId, permissions: ["media:read"], hash: scryptSync(password, salt, 32, scryptParams) }
const verified = new Map<string, { accountId: string; permissions: ReadonlyArray<string> }>()

const key = createPrivateKey(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }))
const signed = new Map<string, string>()
const sign = (path: string, expiresAt: number): string => {
  const cacheKey = `${path} ${expiresAt}`
  let url = signed.get(cacheKey)
  if (url === undefined) {
    // The SDK forwards privateKey to crypto's Sign#sign, which takes a KeyObject as well as a PEM.
    url = getSignedUrl({ url: `${cdnBase}/${path}`, keyPairId: "KBENCH", privateKey: key as unknown as string, dateLessThan: expiresAt * 1000 })
    if (signed.size > 10_000) signed.clear()
    signed.set(cacheKey, url)
  }
  return url
}

const fileId = randomUUID()
const files = new Map([[`${accountId}/${fileId}`, {
  file_id: fileId,
  content_type: "image/jpeg",
  file_size: 734_112,
  entity_type: "shipment_item",
  entity_id: "1RT823V93|SKU-001|DAMAGED|D-1",
  status: "ready",
  created_at: 1_790_000_000,
  updated_at: 1_790_000_010,
  attempts: 1,
  width: 2000,
  height: 1500
}]])

const errorBody = (code: string, message: string, requestId: string) => ({ error_code: code, error_data: { message }, request_id: requestId })

const app = Fastify({ logger: false, requestIdHeader: "x-request-id", genReqId: () => randomUUID() })

declare module "fastify" {
  interface FastifyRequest {
    principal: { accountId: string; permissions: ReadonlyArray<string> } | undefined
  }
}
app.decorateRequest("principal", undefined)

app.addHook("onRequest", async (request, reply) => {
  reply.header("x-request-id", request.id)
  reply.header("access-control-allow-origin", "*")
  const header = request.headers.authorization
  let principal = header === undefined ? undefined : verified.get(header)
  if (principal === undefined && header !== undefined && header.startsWith("Basic ")) {
    const pair = Buffer.from(header.slice(6), "base64").toString("utf8")
    const colon = pair.indexOf(":")
    if (colon > 0 && pair.slice(0, colon) === stored.apiId) {
      const derived = scryptSync(pair.slice(colon + 1), salt, 32, scryptParams)
      if (timingSafeEqual(derived, stored.hash)) {
        principal = { accountId: stored.accountId, permissions: stored.permissions }
        verified.set(header, principal)
      }
    }
  }
  if (principal === undefined) {
    return reply.code(401).header("www-authenticate", `Basic realm="media", Bearer`)
      .send(errorBody("ACCESS_DENIED", "missing or invalid credentials", request.id))
  }
  request.principal = principal
})

const fileSchema = {
  type: "object",
  properties: {
    file_id: { type: "string" },
    content_type: { type: "string" },
    file_size: { type: "integer" },
    entity_type: { type: "string" },
    entity_id: { type: "string" },
    status: { type: "string" },
    created_at: { type: "integer" },
    updated_at: { type: "integer" },
    download_url: { type: "string" },
    download_expires_at: { type: "integer" },
    thumbnail_url: { type: "string" },
    thumbnail_expires_at: { type: "integer" },
    width: { type: "integer" },
    height: { type: "integer" },
    failure_reason: { type: "string" }
  }
} as const

app.get<{ Params: { file_id: string } }>("/v1/media/:file_id", { schema: { response: { 200: fileSchema } } }, async (request, reply) => {
  const principal = request.principal!
  if (!principal.permissions.includes("media:read")) {
    return reply.code(403).send(errorBody("ACCESS_DENIED", "these credentials lack the media:read permission", request.id))
  }
  const file = files.get(`${principal.accountId}/${request.params.file_id}`)
  if (file === undefined) return reply.code(404).send(errorBody("FILE_NOT_FOUND", "file not found", request.id))
  const { attempts, ...view } = file
  if (view.status !== "ready") return view
  const expiresAt = Math.ceil((Date.now() / 1000 + 3600) / 60) * 60
  return {
    ...view,
    download_url: sign(`images/${principal.accountId}/${file.file_id}/${attempts}.jpg`, expiresAt),
    download_expires_at: expiresAt,
    thumbnail_url: sign(`thumbnails/${principal.accountId}/${file.file_id}/${attempts}.jpg`, expiresAt),
    thumbnail_expires_at: expiresAt
  }
})

await app.listen({ port: 0, host: "127.0.0.1" })
process.send?.({ port: (app.server.address() as AddressInfo).port, fileId, authorization })
// Exit normally on SIGINT, so `--cpu-prof` writes its profile.
process.once("SIGINT", () => process.exit(0))
