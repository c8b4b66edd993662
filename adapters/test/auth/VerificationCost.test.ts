/**
 * The work a verification does, counted at node:crypto's scrypt (issue 8):
 * timing must not tell an unknown api_id from a known one, nor a plain
 * password from a hashed one. Counts and parameters, never clocks.
 */
import { assert, describe, it } from "@effect/vitest"
import { vi } from "vitest"
import { Effect, Fiber, Logger, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { ClientAddress } from "../../src/auth/ClientAddress.ts"
import { make } from "../../src/auth/CredentialsAuthenticator.ts"
import { hashSecret } from "../../src/auth/SecretHash.ts"

/**
 * Every scrypt call as `N=.. r=.. p=..`, in call order. While `hold` is set,
 * calls wait in `held` (in flight, as far as their callers know) until released.
 */
const recorded = vi.hoisted(() => ({ calls: [] as Array<string>, hold: false, held: [] as Array<() => void> }))

vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:crypto")>()
  const scrypt = (...args: Array<any>) => {
    const options = args[3] as { N: number; r: number; p: number }
    recorded.calls.push(`N=${options.N} r=${options.r} p=${options.p}`)
    const run = () => (actual.scrypt as (...a: Array<any>) => void)(...args)
    if (recorded.hold) recorded.held.push(run)
    else run()
  }
  return { ...actual, scrypt, default: { ...actual, scrypt } }
})

const fast = { N: 1024, r: 8, p: 1 }
const defaultCheck = "N=32768 r=8 p=1"
const fastCheck = "N=1024 r=8 p=1"
const basic = (id: string, password: string) => `Basic ${Buffer.from(`${id}:${password}`).toString("base64")}`

type Auth = Effect.Success<ReturnType<typeof make>>

/** The outcome of one authentication and the scrypt checks it ran. */
const costOf = (auth: Auth, header: string) =>
  Effect.gen(function*() {
    recorded.calls.length = 0
    const outcome = yield* auth.authenticate(header).pipe(
      Effect.map((p) => p.accountId as string),
      Effect.catch((e) => Effect.succeed(e._tag))
    )
    return [outcome, [...recorded.calls]]
  })

/** Lets other fibers and libuv callbacks run until `done()` holds; fails (no clock involved) if they never get there. */
const settle = (done: () => boolean, what = "the expected state") =>
  Effect.gen(function*() {
    for (let i = 0; i < 50_000 && !done(); i++) yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
    assert.isTrue(done(), `never reached ${what}`)
  })

describe("CredentialsAuthenticator verification cost", () => {
  it.effect("a wrong password costs one scrypt check with the same parameters for an unknown, a plain and a hashed api_id", () =>
    Effect.gen(function*() {
      const auth = yield* make({
        credentials: [
          { account_id: "1", api_id: "plain-id", password: "plain-pw", permissions: ["media:read"] },
          { account_id: "2", api_id: "hashed-id", password_hash: yield* hashSecret(Redacted.make("hashed-pw")), permissions: ["media:read"] }
        ]
      })
      const expected = ["Unauthenticated", [defaultCheck]]
      assert.deepStrictEqual(yield* costOf(auth, basic("nobody", "guess")), expected, "unknown api_id")
      assert.deepStrictEqual(yield* costOf(auth, basic("plain-id", "guess")), expected, "plain password")
      assert.deepStrictEqual(yield* costOf(auth, basic("hashed-id", "guess")), expected, "hashed password")
    }))

  it.effect("a file of plain passwords only: unknown and known api_ids both cost one default scrypt check", () =>
    Effect.gen(function*() {
      const auth = yield* make({
        credentials: [{ account_id: "1", api_id: "plain-id", password: "plain-pw", permissions: ["media:read"] }]
      })
      assert.deepStrictEqual(yield* costOf(auth, basic("nobody", "guess")), ["Unauthenticated", [defaultCheck]])
      assert.deepStrictEqual(yield* costOf(auth, basic("plain-id", "guess")), ["Unauthenticated", [defaultCheck]])
    }))

  it.effect("unknown api_ids are checked with the parameters the file's hashes use", () =>
    Effect.gen(function*() {
      const auth = yield* make({
        credentials: [
          { account_id: "1", api_id: "plain-id", password: "plain-pw", permissions: ["media:read"] },
          { account_id: "2", api_id: "hashed-id", password_hash: yield* hashSecret(Redacted.make("hashed-pw"), fast), permissions: ["media:read"] }
        ]
      })
      assert.deepStrictEqual(yield* costOf(auth, basic("hashed-id", "guess")), ["Unauthenticated", [fastCheck]])
      assert.deepStrictEqual(yield* costOf(auth, basic("nobody", "guess")), ["Unauthenticated", [fastCheck]])
      assert.deepStrictEqual(yield* costOf(auth, basic("plain-id", "guess")), ["Unauthenticated", [fastCheck]])
    }))

  it.effect("a first login costs one check, plain or hashed; a repeated one is a cache hit and costs none", () =>
    Effect.gen(function*() {
      const auth = yield* make({
        credentials: [
          { account_id: "1", api_id: "plain-id", password: "plain-pw", permissions: ["media:read"] },
          { account_id: "2", api_id: "hashed-id", password_hash: yield* hashSecret(Redacted.make("hashed-pw"), fast), permissions: ["media:read"] }
        ]
      })
      assert.deepStrictEqual(yield* costOf(auth, basic("plain-id", "plain-pw")), ["1", [fastCheck]])
      assert.deepStrictEqual(yield* costOf(auth, basic("hashed-id", "hashed-pw")), ["2", [fastCheck]])
      assert.deepStrictEqual(yield* costOf(auth, basic("plain-id", "plain-pw")), ["1", []])
      assert.deepStrictEqual(yield* costOf(auth, basic("hashed-id", "hashed-pw")), ["2", []])
    }))

  it.effect("a file without Basic credentials refuses every Basic login without a check", () =>
    Effect.gen(function*() {
      const auth = yield* make({ credentials: [{ account_id: "1", token: "plain-token", permissions: ["media:read"] }] })
      assert.deepStrictEqual(yield* costOf(auth, basic("nobody", "guess")), ["Unauthenticated", []])
      assert.deepStrictEqual(yield* costOf(auth, "Bearer plain-token"), ["1", []])
    }))

  it.effect("an unknown Bearer token costs one check per token_hash entry; plain tokens cost none", () =>
    Effect.gen(function*() {
      const auth = yield* make({
        credentials: [
          { account_id: "1", token: "plain-token", permissions: ["media:read"] },
          { account_id: "2", token_hash: yield* hashSecret(Redacted.make("hashed-token-1"), fast), permissions: ["media:read"] },
          { account_id: "3", token_hash: yield* hashSecret(Redacted.make("hashed-token-2"), fast), permissions: ["media:read"] }
        ]
      })
      assert.deepStrictEqual(yield* costOf(auth, "Bearer unknown-token"), ["Unauthenticated", [fastCheck, fastCheck]])
      assert.deepStrictEqual(yield* costOf(auth, "Bearer plain-token"), ["1", []])
    }))

  it.effect("200 bogus logins: 2 checks run, 8 wait, the rest are refused at once; a real login admitted behind them succeeds after at most 9 more", () =>
    Effect.gen(function*() {
      const auth = yield* make({
        credentials: [{ account_id: "2", api_id: "hashed-id", password_hash: yield* hashSecret(Redacted.make("hashed-pw"), fast), permissions: ["media:read"] }]
      }, { maxConcurrentHashChecks: 2, maxQueuedHashChecks: 8 })
      const outcomes: Array<string> = []
      const login = (header: string) =>
        auth.authenticate(header).pipe(
          Effect.map((p): string => p.accountId),
          Effect.catch((e) => Effect.succeed(e.message === "missing or invalid credentials" ? "denied" : "busy")),
          Effect.tap((o) => Effect.sync(() => outcomes.push(o)))
        )
      const count = (o: string) => outcomes.filter((x) => x === o).length
      recorded.calls.length = 0
      recorded.hold = true
      yield* Effect.addFinalizer(() => Effect.sync(() => { recorded.hold = false; recorded.held.splice(0).forEach((run) => run()) }))

      const bogus = yield* Effect.forEach(Array.from({ length: 200 }, (_, i) => i), (i) => Effect.forkChild(login(basic(`bogus-${i}`, "guess"))))
      yield* settle(() => count("busy") === 190, `190 busy (${count("busy")})`)
      // Refused without a check; the admitted ones: 2 in flight, 8 waiting for a place.
      assert.strictEqual(recorded.calls.length, 2)
      assert.strictEqual(recorded.held.length, 2)

      // The queue is full: a real login is refused at once too, and runs no check.
      assert.strictEqual(yield* login(basic("hashed-id", "hashed-pw")), "busy")
      assert.strictEqual(recorded.calls.length, 2)

      // One check ends: one waiting check starts, one waiting place frees, and the real login takes it.
      recorded.held.shift()!()
      yield* settle(() => count("denied") === 1 && recorded.held.length === 2, "the next check")
      const real = yield* Effect.forkChild(login(basic("hashed-id", "hashed-pw")))
      yield* settle(() => recorded.calls.length === 3)
      while (!outcomes.includes("2")) {
        // Never more than 2 checks in flight; each release ends exactly one check.
        assert.isAtMost(recorded.held.length, 2)
        yield* settle(() => recorded.held.length > 0)
        const before = outcomes.length
        recorded.held.shift()!()
        yield* settle(() => outcomes.length === before + 1)
      }
      assert.strictEqual(yield* Fiber.join(real), "2")
      // Checks end in the order they are released: it ended after the first check, the 2 running and
      // the 7 waiting when it was admitted, and before any other.
      assert.strictEqual(outcomes.filter((o) => o !== "busy").indexOf("2"), 10)
      assert.strictEqual(recorded.calls.filter((c) => c !== fastCheck).length, 0)
      assert.strictEqual(count("busy"), 191)
      recorded.hold = false
      recorded.held.splice(0).forEach((run) => run())
      yield* Effect.forEach(bogus, Fiber.join)
      assert.strictEqual(count("denied"), 10)
    }))

  it.effect("a verified secret stays cached while it is used within the TTL, and costs a check again after a longer pause", () =>
    Effect.gen(function*() {
      const auth = yield* make({
        credentials: [{ account_id: "1", api_id: "plain-id", password: "plain-pw", permissions: ["media:read"] }]
      }, { cacheTtlSeconds: 60, hashParams: fast })
      const login = basic("plain-id", "plain-pw")
      assert.deepStrictEqual(yield* costOf(auth, login), ["1", [fastCheck]])
      for (let i = 0; i < 3; i++) {
        yield* TestClock.adjust("50 seconds")
        assert.deepStrictEqual(yield* costOf(auth, login), ["1", []], `use ${i + 1}, 50 s after the last`)
      }
      yield* TestClock.adjust("61 seconds")
      assert.deepStrictEqual(yield* costOf(auth, login), ["1", [fastCheck]])
    }))

  it.effect("a password_hash with other parameters than the rest is named in a startup warning, never by value", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const capture = Logger.make((options) => {
        lines.push(`${options.logLevel} ${String(options.message)}`)
      })
      const odd = yield* hashSecret(Redacted.make("odd-pw"), { N: 2048, r: 8, p: 1 })
      yield* make({
        credentials: [
          { account_id: "1", api_id: "a", password_hash: yield* hashSecret(Redacted.make("a-pw"), fast), permissions: [] },
          { account_id: "1", api_id: "b", password_hash: yield* hashSecret(Redacted.make("b-pw"), fast), permissions: [] },
          { account_id: "1", api_id: "secret-looking-id", password_hash: odd, permissions: [] },
          { account_id: "1", api_id: "c", password: "c-pw", permissions: [] }
        ]
      }).pipe(Effect.provide(Logger.layer([capture])))
      assert.strictEqual(lines.length, 1, lines.join("\n"))
      assert.include(lines[0], "Warn")
      assert.include(lines[0], "credentials[2]")
      assert.include(lines[0], "N=2048")
      for (const secret of [odd, "odd-pw", "secret-looking-id"]) assert.notInclude(lines[0], secret)
    }))

  it.effect("200 bogus logins from one address cannot keep a login from another address out: it is the 4th check", () =>
    Effect.gen(function*() {
      const auth = yield* make({
        credentials: [{ account_id: "2", api_id: "hashed-id", password_hash: yield* hashSecret(Redacted.make("hashed-pw"), fast), permissions: ["media:read"] }]
      }, { maxConcurrentHashChecks: 2, maxQueuedHashChecks: 8 })
      const outcomes: Array<string> = []
      const login = (header: string, address: string) =>
        auth.authenticate(header).pipe(
          Effect.provideService(ClientAddress, address),
          Effect.map((p): string => p.accountId),
          Effect.catch((e) => Effect.succeed(e.message === "missing or invalid credentials" ? "denied" : "busy")),
          Effect.tap((o) => Effect.sync(() => outcomes.push(o)))
        )
      const count = (o: string) => outcomes.filter((x) => x === o).length
      recorded.calls.length = 0
      recorded.hold = true
      yield* Effect.addFinalizer(() => Effect.sync(() => { recorded.hold = false; recorded.held.splice(0).forEach((run) => run()) }))

      const bogus = yield* Effect.forEach(Array.from({ length: 200 }, (_, i) => i), (i) => Effect.forkChild(login(basic(`bogus-${i}`, "guess"), "203.0.113.9")))
      yield* settle(() => count("busy") === 190, `190 busy (${count("busy")})`)
      assert.strictEqual(recorded.held.length, 2)

      // The queue is full of the flooder's checks: the newcomer takes the newest one's place.
      const real = yield* Effect.forkChild(login(basic("hashed-id", "hashed-pw"), "198.51.100.7"))
      yield* settle(() => count("busy") === 191)
      while (!outcomes.includes("2")) {
        assert.isAtMost(recorded.held.length, 2)
        yield* settle(() => recorded.held.length > 0)
        const before = outcomes.length
        recorded.held.shift()!()
        yield* settle(() => outcomes.length === before + 1)
      }
      assert.strictEqual(yield* Fiber.join(real), "2")
      // The 2 running, then one of the flooder's in turn, then the newcomer's.
      assert.strictEqual(outcomes.filter((o) => o !== "busy").indexOf("2"), 3)
      recorded.hold = false
      recorded.held.splice(0).forEach((run) => run())
      yield* Effect.forEach(bogus, Fiber.join)
      assert.strictEqual(count("denied"), 9)
    }))

  it.effect("simultaneous logins with the same credentials share one check, right or wrong, and none is turned away", () =>
    Effect.gen(function*() {
      const auth = yield* make({
        credentials: [{ account_id: "2", api_id: "hashed-id", password_hash: yield* hashSecret(Redacted.make("hashed-pw"), fast), permissions: ["media:read"] }]
      }, { maxConcurrentHashChecks: 2, maxQueuedHashChecks: 1 })
      const outcomes: Array<string> = []
      const login = (header: string) =>
        auth.authenticate(header).pipe(
          Effect.map((p): string => p.accountId),
          Effect.catch((e) => Effect.succeed(e.message === "missing or invalid credentials" ? "denied" : "busy")),
          Effect.tap((o) => Effect.sync(() => outcomes.push(o)))
        )
      recorded.calls.length = 0
      recorded.hold = true
      yield* Effect.addFinalizer(() => Effect.sync(() => { recorded.hold = false; recorded.held.splice(0).forEach((run) => run()) }))
      const headers = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? basic("hashed-id", "hashed-pw") : basic("nobody", "guess")))
      const fibers = yield* Effect.forEach(headers, (h) => Effect.forkChild(login(h)))
      yield* settle(() => recorded.held.length === 2)
      assert.strictEqual(outcomes.length, 0)
      recorded.hold = false
      recorded.held.splice(0).forEach((run) => run())
      yield* Effect.forEach(fibers, Fiber.join)
      assert.strictEqual(recorded.calls.length, 2)
      assert.deepStrictEqual([outcomes.filter((o) => o === "2").length, outcomes.filter((o) => o === "denied").length], [20, 20])
    }))
})
