import { assert, describe, it } from "@effect/vitest"
import { isHttpApiEvent, toRequest, toResult } from "../../src/lambda/api/HttpApiEvent.ts"

const event = {
  version: "2.0",
  rawPath: "/v1/media/search",
  rawQueryString: "entity_type=shipment_item&entity_id=A%7CB",
  headers: { host: "abc.lambda-url.eu-west-1.on.aws", "content-type": "application/octet-stream" },
  cookies: ["a=1", "b=2"],
  body: Buffer.from([0, 1, 2, 255]).toString("base64"),
  isBase64Encoded: true,
  requestContext: { domainName: "abc.lambda-url.eu-west-1.on.aws", http: { method: "POST" } }
}

describe("HttpApiEvent", () => {
  it("recognises payload 2.0 events only", () => {
    assert.isTrue(isHttpApiEvent(event))
    assert.isFalse(isHttpApiEvent({ Records: [] }))
    assert.isFalse(isHttpApiEvent(null))
  })

  it("makes a request with the query, the cookies joined and a base64 body decoded", async () => {
    const request = toRequest(event)
    assert.strictEqual(request.url, "https://abc.lambda-url.eu-west-1.on.aws/v1/media/search?entity_type=shipment_item&entity_id=A%7CB")
    assert.strictEqual(request.method, "POST")
    assert.strictEqual(request.headers.get("cookie"), "a=1; b=2")
    assert.deepStrictEqual([...new Uint8Array(await request.arrayBuffer())], [0, 1, 2, 255])
  })

  it("sends a binary body as base64, set-cookie apart and other repeated headers comma-joined", async () => {
    const headers = new Headers({ "content-type": "image/jpeg" })
    headers.append("set-cookie", "x=1; Path=/")
    headers.append("set-cookie", "y=2; Path=/")
    headers.append("vary", "origin")
    headers.append("vary", "accept")
    const result = await toResult(new Response(new Uint8Array([255, 216, 255]), { status: 200, headers }))
    assert.deepStrictEqual(result, {
      statusCode: 200,
      headers: { "content-type": "image/jpeg", vary: "origin, accept" },
      cookies: ["x=1; Path=/", "y=2; Path=/"],
      body: Buffer.from([255, 216, 255]).toString("base64"),
      isBase64Encoded: true
    })
  })

  it("sends JSON as text", async () => {
    const result = await toResult(Response.json({ ok: true }, { status: 201 }))
    assert.deepStrictEqual(result, {
      statusCode: 201,
      headers: { "content-type": "application/json" },
      body: "{\"ok\":true}",
      isBase64Encoded: false
    })
  })
})
