import { assert, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Authenticator, Unauthenticated } from "@media-object-storage/core/ports/Authenticator"
import { ClientAddress } from "@media-object-storage/adapters/auth/ClientAddress"
import { busyMessage, deniedMessage } from "@media-object-storage/adapters/auth/CredentialsAuthenticator"
import { assertError, call, layerTestServer } from "./support.ts"

// The credentials-file Authenticator answers "busy" when every place for a slow check is taken (issue 8).
const busyAuthenticator = Layer.succeed(Authenticator, Authenticator.of({
  authenticate: (header) =>
    Effect.gen(function*() {
      const address = yield* ClientAddress
      return yield* new Unauthenticated({
        message: header === "Bearer flooded" ? busyMessage : header === "Bearer echo" ? `from ${address}` : deniedMessage
      })
    })
}))

layer(layerTestServer({ overrides: busyAuthenticator }))("AuthenticationLive", (it) => {
  it.effect("a credential that was not checked is a 401 in our error shape that says to retry, not that it is wrong", () =>
    Effect.gen(function*() {
      const search = "/v1/media/search?entity_type=shipment_item&entity_id=S1"
      const busy = yield* call(search, { headers: { authorization: "Bearer flooded" } })
      assert.strictEqual(assertError(busy, 401, "ACCESS_DENIED"), busyMessage)
      assert.strictEqual(busy.headers.get("www-authenticate"), `Basic realm="media", Bearer`)
      const wrong = yield* call(search, { headers: { authorization: "Bearer wrong" } })
      assert.strictEqual(assertError(wrong, 401, "ACCESS_DENIED"), "missing or invalid credentials")
    }))

  it.effect("the Authenticator learns the client's address, so slow checks can be shared fairly between clients", () =>
    Effect.gen(function*() {
      const reply = yield* call("/v1/media/search?entity_type=shipment_item&entity_id=S1", { headers: { authorization: "Bearer echo" } })
      assert.match(assertError(reply, 401, "ACCESS_DENIED"), /^from (::ffff:)?127\.0\.0\.1$/)
    }))
})
