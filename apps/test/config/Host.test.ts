/**
 * SPEC §8 `HOST`: the address the server listens on (the listening itself is
 * tested on the real server in test/hardening/edge.test.ts).
 */
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect } from "effect"
import { appConfig } from "../../src/config/AppConfig.ts"

const hostUnder = (env: Record<string, string>) =>
  Effect.map(appConfig.pipe(Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))), (config) => config.host)

describe("AppConfig HOST", () => {
  it.effect("defaults to :: and takes the address given", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* hostUnder({}), "::")
      assert.strictEqual(yield* hostUnder({ HOST: "127.0.0.1" }), "127.0.0.1")
      assert.strictEqual(yield* hostUnder({ HOST: "::1" }), "::1")
    }))

  it.effect("an empty HOST counts as unset", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* hostUnder({ HOST: "" }), "::")
    }))
})
