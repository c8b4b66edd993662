/**
 * Authentication timing and starvation (issue 8), in-process on the
 * credentials-file Authenticator with default scrypt parameters.
 * Run: `node bench/auth/timing.ts` (env BENCH_AUTH_ROUNDS, BENCH_AUTH_FLOOD, BENCH_AUTH_SUSTAIN_MS,
 * BENCH_AUTH_PARTS=timing,cache,flood,sustained to run only some).
 *
 * 1. 401 latency of a wrong password for an unknown api_id, a plain-password
 *    id and a hashed-password id, interleaved, one at a time (wall ms).
 * 2. Cost of a cache hit (a known credential repeated): CPU µs per call.
 * 3. One-shot flood: BENCH_AUTH_FLOOD (200) bogus Basic logins with unknown
 *    ids at once, then one real first login (hashed id, right password) that
 *    retries every 250 ms while it is told the server is busy.
 * 4. Sustained flood: the same attackers retry as soon as they are answered,
 *    for BENCH_AUTH_SUSTAIN_MS; the real client logs in once in the middle,
 *    from another address than the attackers' and then from the same one
 *    (as behind a proxy that hides client addresses).
 * Wall times on a shared machine are noisy: compare within one run.
 */
import { Effect, Redacted } from "effect"
import { ClientAddress } from "@media-object-storage/adapters/auth/ClientAddress"
import { make } from "@media-object-storage/adapters/auth/CredentialsAuthenticator"
import { hashSecret } from "@media-object-storage/adapters/auth/SecretHash"

const rounds = Number(process.env.BENCH_AUTH_ROUNDS ?? 20)
const floodSize = Number(process.env.BENCH_AUTH_FLOOD ?? 200)
const sustainMs = Number(process.env.BENCH_AUTH_SUSTAIN_MS ?? 6000)
const denied = "missing or invalid credentials"
const parts = (process.env.BENCH_AUTH_PARTS ?? "timing,cache,flood,sustained").split(",")

const basic = (id: string, password: string) => `Basic ${Buffer.from(`${id}:${password}`).toString("base64")}`
const document = async () => ({
  credentials: [
    { account_id: "1", api_id: "plain-id", password: "plain-password", permissions: ["media:read"] },
    { account_id: "2", api_id: "hashed-id", password_hash: await Effect.runPromise(hashSecret(Redacted.make("hashed-password"))), permissions: ["media:read"] },
    { account_id: "3", token: "plain-token", permissions: ["media:read"] }
  ]
})
type Auth = Effect.Success<ReturnType<typeof make>>
const newAuth = async (): Promise<Auth> => Effect.runPromise(make(await document()))

/** "ok", "denied" or "busy" (any other 401 message: told not to count it as a wrong password). */
const attempt = (auth: Auth, header: string, address = ""): Promise<"ok" | "denied" | "busy"> =>
  Effect.runPromise(auth.authenticate(header).pipe(
    Effect.provideService(ClientAddress, address),
    Effect.map(() => "ok" as const),
    Effect.catch((e) => Effect.succeed(e.message === denied ? "denied" as const : "busy" as const))
  ))

const quantile = (xs: ReadonlyArray<number>, q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!
const ms = (x: number) => x.toFixed(1).padStart(7)
const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))

const timing = async () => {
  const auth = await newAuth()
  const cases = { "unknown api_id": basic("nobody-1", "guess"), "plain-password id": basic("plain-id", "guess"), "hashed-password id": basic("hashed-id", "guess") }
  const samples = new Map<string, Array<number>>(Object.keys(cases).map((k) => [k, []]))
  for (let i = 0; i < rounds; i++) {
    for (const [name, header] of Object.entries(cases)) {
      const start = performance.now()
      await attempt(auth, header)
      samples.get(name)!.push(performance.now() - start)
    }
  }
  console.log(`\n401 for a wrong password, ${rounds} rounds interleaved (ms):`)
  console.log(`${"case".padEnd(22)}  median     p10     p90`)
  for (const [name, xs] of samples) console.log(`${name.padEnd(22)} ${ms(quantile(xs, 0.5))} ${ms(quantile(xs, 0.1))} ${ms(quantile(xs, 0.9))}`)
}

const cacheHit = async () => {
  const auth = await newAuth()
  const headers = [basic("hashed-id", "hashed-password"), basic("plain-id", "plain-password"), "Bearer plain-token"]
  for (const h of headers) await attempt(auth, h)
  const iterations = 20_000
  console.log(`\nrepeated known credential (cache hit or plain token), ${iterations} calls each:`)
  for (const h of headers) {
    const call = auth.authenticate(h)
    for (let i = 0; i < 2000; i++) Effect.runSync(call)
    const start = process.cpuUsage()
    for (let i = 0; i < iterations; i++) Effect.runSync(call)
    const cpu = process.cpuUsage(start)
    console.log(`${h.split(" ")[0]!.padEnd(7)} ${h.startsWith("Basic") ? (h.length > 40 ? "hashed-id" : "plain-id") : "plain-token"}: ${((cpu.user + cpu.system) / iterations).toFixed(2)} µs CPU/call`)
  }
}

/** The real client: logs in, and while told "busy" retries every 250 ms. */
const realClient = async (auth: Auth, started: number, address = "198.51.100.7") => {
  let first: number | undefined
  let tries = 0
  for (;;) {
    tries++
    const outcome = await attempt(auth, basic("hashed-id", "hashed-password"), address)
    first ??= performance.now() - started
    if (outcome !== "busy") return { outcome, first, done: performance.now() - started, tries }
    await sleep(250)
  }
}

const oneShotFlood = async () => {
  const auth = await newAuth()
  const started = performance.now()
  const outcomes = { ok: 0, denied: 0, busy: 0 }
  const bogus = Array.from({ length: floodSize }, (_, i) => attempt(auth, basic(`bogus-${i}`, "guess"), attackerAddress).then((o) => { outcomes[o]++ }))
  const real = await realClient(auth, started)
  await Promise.all(bogus)
  const all = performance.now() - started
  console.log(`\none-shot flood of ${floodSize} unknown-id logins, then one real first login (hashed id):`)
  console.log(`real login: first answer after ${ms(real.first)} ms, ${real.outcome} after ${ms(real.done)} ms (${real.tries} tries)`)
  console.log(`bogus: ${outcomes.denied} denied after a check, ${outcomes.busy} turned away busy; all answered after ${ms(all)} ms`)
}

const attackerAddress = "203.0.113.9"

const sustainedFlood = async (realAddress: string) => {
  const auth = await newAuth()
  const started = performance.now()
  let stop = false
  const outcomes = { ok: 0, denied: 0, busy: 0 }
  const attacker = async (i: number) => {
    for (let n = 0; !stop; n++) {
      outcomes[await attempt(auth, basic(`bogus-${i}-${n}`, "guess"), attackerAddress)]++
      // Over HTTP each retry costs a round trip; here, yield to the event loop.
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
  const attackers = Array.from({ length: floodSize }, (_, i) => attacker(i))
  await sleep(sustainMs / 3)
  const realStart = performance.now()
  const real = await Promise.race([realClient(auth, realStart, realAddress), sleep(sustainMs).then(() => undefined)])
  stop = true
  await Promise.all(attackers)
  console.log(`\nsustained flood: ${floodSize} attackers retrying at once for ${((performance.now() - started) / 1000).toFixed(1)} s; real first login starts after ${(sustainMs / 3).toFixed(0)} ms, ${realAddress === attackerAddress ? "from the attackers' address" : "from another address"}:`)
  console.log(real === undefined
    ? `real login: no success within ${sustainMs} ms`
    : `real login: first answer after ${ms(real.first)} ms, ${real.outcome} after ${ms(real.done)} ms (${real.tries} tries)`)
  console.log(`attackers: ${outcomes.denied} denied after a check, ${outcomes.busy} turned away busy`)
}

const { loadavg, cpus } = await import("node:os")
console.log(`node ${process.version}, ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}`)
if (parts.includes("timing")) await timing()
if (parts.includes("cache")) await cacheHit()
if (parts.includes("flood")) await oneShotFlood()
if (parts.includes("sustained")) await sustainedFlood("198.51.100.7")
if (parts.includes("sustained")) await sustainedFlood(attackerAddress)
console.log(`load average at the end ${loadavg().map((l) => l.toFixed(1)).join(" ")}`)
