/**
 * 200 canned-policy CloudFront URLs, none cached yet (what a search page of
 * 100 ready files signed before one custom policy per file: see
 * bench/http/sign-search.ts for the page as it is now), RSA-2048, with the
 * shipped CloudFrontUrlSigner (asynchronous `crypto.sign` on
 * libuv's pool) versus the SDK's synchronous `getSignedUrl` with the key
 * parsed once (what the signer did before): wall time for the page, and the
 * longest the event loop was held (a timer asks for a tick every millisecond;
 * the largest gap between ticks is how long any other request would have waited).
 * Run: `node bench/http/sign-page.ts` (BENCH_PAGES, default 10).
 */
import { getSignedUrl } from "@aws-sdk/cloudfront-signer"
import { createPrivateKey } from "node:crypto"
import { Effect, Redacted } from "effect"
import { generateKeyPair } from "../../adapters/src/cloudfront/CloudFrontKeys.ts"
import { make } from "../../adapters/src/cloudfront/CloudFrontUrlSigner.ts"

const pages = Number(process.env.BENCH_PAGES ?? 10)
const urlsPerPage = 200
const base = "http://127.0.0.1:8080/cdn"
const keys = await Effect.runPromise(generateKeyPair("rsa-2048"))
const keyObject = createPrivateKey(keys.privateKeyPem)
const keyOf = (page: number, i: number) => `images/10020/${page}-${i}/1.jpg`

/** Runs `work`, measuring its wall time and the longest gap between 1 ms timer ticks meanwhile. */
const measure = async (work: () => Promise<unknown>) => {
  let last = performance.now()
  let longest = 0
  const timer = setInterval(() => {
    const now = performance.now()
    longest = Math.max(longest, now - last)
    last = now
  }, 1)
  await new Promise((resolve) => setTimeout(resolve, 5))
  last = performance.now()
  const start = performance.now()
  await work()
  const wall = performance.now() - start
  await new Promise((resolve) => setTimeout(resolve, 2))
  clearInterval(timer)
  return { wall, longest }
}

const signer = await Effect.runPromise(make({ baseUrl: base, keyPairId: keys.keyPairId, privateKey: Redacted.make(keys.privateKeyPem) }))
const shipped = (page: number) =>
  Effect.runPromise(Effect.forEach(Array.from({ length: urlsPerPage }, (_, i) => keyOf(page, i)), (key) => signer.sign(key, 1_900_000_000 + page), { concurrency: "unbounded" }))
const synchronous = async (page: number) => {
  for (let i = 0; i < urlsPerPage; i++) {
    getSignedUrl({ url: `${base}/${keyOf(page, i)}`, keyPairId: keys.keyPairId, privateKey: keyObject as unknown as string, dateLessThan: (1_900_000_000 + page) * 1000 })
  }
}

const rows: Array<[string, Array<{ wall: number; longest: number }>]> = [["shipped (async crypto.sign)", []], ["SDK getSignedUrl (sync)", []]]
for (let page = 0; page < pages; page++) {
  // Alternate, so load on a shared machine hits both alike; fresh keys every page, so nothing is cached.
  rows[0]![1].push(await measure(() => shipped(page)))
  rows[1]![1].push(await measure(() => synchronous(page + pages)))
}
const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
console.log(`${pages} pages of ${urlsPerPage} fresh URLs each (median over pages)`)
for (const [name, runs] of rows) {
  console.log(`  ${name.padEnd(30)} page ${median(runs.map((r) => r.wall)).toFixed(0).padStart(4)} ms   event loop held up to ${median(runs.map((r) => r.longest)).toFixed(0).padStart(4)} ms`)
}
