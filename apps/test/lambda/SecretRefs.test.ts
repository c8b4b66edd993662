import { assert, describe, it } from "@effect/vitest"
import { createServer, type IncomingMessage } from "node:http"
import type { AddressInfo } from "node:net"
import { readFileSync, statSync } from "node:fs"
import { Effect } from "effect"
import { resolveSecretRefs } from "../../src/lambda/SecretRefs.ts"

interface Call {
  readonly target: string
  readonly body: Record<string, unknown>
}

const readBody = (request: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let text = ""
    request.on("data", (chunk) => text += chunk)
    request.on("end", () => resolve(text))
  })

/** A loopback stand-in for Secrets Manager and SSM (the JSON protocol: X-Amz-Target names the operation). */
const stubStores = Effect.acquireRelease(
  Effect.promise(() =>
    new Promise<{ url: string; calls: Array<Call>; close: () => Promise<void> }>((resolve) => {
      const calls: Array<Call> = []
      const server = createServer(async (request, response) => {
        const target = String(request.headers["x-amz-target"])
        const body = JSON.parse(await readBody(request)) as Record<string, unknown>
        calls.push({ target, body })
        response.setHeader("content-type", "application/x-amz-json-1.1")
        if (target === "secretsmanager.GetSecretValue" && String(body["SecretId"]).endsWith(":secret:cdn-key")) {
          response.end(JSON.stringify({ ARN: body["SecretId"], Name: "cdn-key", SecretString: "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n" }))
        } else if (target === "AmazonSSM.GetParameter" && String(body["Name"]).endsWith(":parameter/media/credentials")) {
          response.end(JSON.stringify({ Parameter: { Name: "/media/credentials", Type: "SecureString", Value: "{\"credentials\":[]}" } }))
        } else {
          response.statusCode = 400
          response.end(JSON.stringify({ __type: "ResourceNotFoundException", message: "no such secret" }))
        }
      })
      server.listen(0, "127.0.0.1", () =>
        resolve({
          url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          calls,
          close: () => new Promise((done) => server.close(() => done()))
        }))
    })
  ),
  (stub) => Effect.promise(() => stub.close())
)

const credentials = { accessKeyId: "test", secretAccessKey: "test" }

describe("resolveSecretRefs", () => {
  it.effect("fetches Secrets Manager and SSM references, writes the credentials document to a private file", () =>
    Effect.gen(function*() {
      const stub = yield* stubStores
      const env = yield* resolveSecretRefs({
        MEDIA_BUCKET: "media",
        MEDIA_CDN_PRIVATE_KEY_ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:cdn-key",
        MEDIA_AUTH_FILE_ARN: "arn:aws:ssm:eu-west-1:123456789012:parameter/media/credentials",
        // Given directly: wins over its reference, which is not fetched.
        MEDIA_CURSOR_SECRET: "direct",
        MEDIA_CURSOR_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:unused"
      }, { endpoint: stub.url, credentials })
      assert.strictEqual(env["MEDIA_BUCKET"], "media")
      assert.include(env["MEDIA_CDN_PRIVATE_KEY"], "BEGIN PRIVATE KEY")
      assert.strictEqual(env["MEDIA_CURSOR_SECRET"], "direct")
      const authFile = env["MEDIA_AUTH_FILE"]!
      assert.strictEqual(readFileSync(authFile, "utf8"), "{\"credentials\":[]}")
      assert.strictEqual(statSync(authFile).mode & 0o777, 0o600)
      assert.deepStrictEqual(stub.calls.map((c) => c.target).sort(), ["AmazonSSM.GetParameter", "secretsmanager.GetSecretValue"])
      assert.strictEqual(stub.calls.find((c) => c.target === "AmazonSSM.GetParameter")?.body["WithDecryption"], true)
    }))

  it.effect("fails naming the variable and the ARN, never a value, when a reference cannot be read", () =>
    Effect.gen(function*() {
      const stub = yield* stubStores
      const error = yield* Effect.flip(resolveSecretRefs({
        MEDIA_CURSOR_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:missing"
      }, { endpoint: stub.url, credentials }))
      assert.strictEqual(error.variable, "MEDIA_CURSOR_SECRET")
      assert.include(error.arn, ":secret:missing")
      const notAnArn = yield* Effect.flip(resolveSecretRefs({ MEDIA_CURSOR_SECRET_ARN: "my-secret" }))
      assert.strictEqual(notAnArn.message, "not a Secrets Manager or SSM Parameter Store ARN")
    }))
})
