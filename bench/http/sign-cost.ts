/**
 * What one CloudFront URL signature costs, in-process: the SDK's getSignedUrl
 * with a PEM string (what CloudFrontUrlSigner does: the PEM is parsed on every
 * call) versus RSA-SHA1 over the same policy with a key parsed once.
 * Reports CPU time (process.cpuUsage), steadier than wall time on a shared machine.
 * Run: `node bench/http/sign-cost.ts`.
 */
import { getSignedUrl } from "@aws-sdk/cloudfront-signer"
import { createPrivateKey, generateKeyPairSync, sign } from "node:crypto"

const iterations = Number(process.env.BENCH_SIGN_ITERATIONS ?? 2000)
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString()
const keyObject = createPrivateKey(pem)
const url = "http://127.0.0.1:8080/cdn/acct-a/images/0b7e8e0a-3c1e-4b8e-9d0f-6a1f2e3d4c5b/1.jpg"
const expires = 1_900_000_000
const policy = JSON.stringify({ Statement: [{ Resource: url, Condition: { DateLessThan: { "AWS:EpochTime": expires } } }] })

const time = (name: string, run: () => unknown) => {
  for (let i = 0; i < 50; i++) run()
  const start = process.cpuUsage()
  const wallStart = performance.now()
  for (let i = 0; i < iterations; i++) run()
  const cpu = process.cpuUsage(start)
  const microseconds = (cpu.user + cpu.system) / iterations
  const wall = ((performance.now() - wallStart) * 1000) / iterations
  console.log(`${name.padEnd(40)} ${microseconds.toFixed(0).padStart(6)} µs CPU/URL (wall ${wall.toFixed(0)} µs)  ${Math.round(1e6 / microseconds)} URLs per CPU-second`)
  return microseconds
}

console.log(`RSA-2048, ${iterations} signatures each, node ${process.version}`)
time("getSignedUrl, PEM string (as shipped)", () =>
  getSignedUrl({ url, keyPairId: "KBENCH", privateKey: pem, dateLessThan: expires * 1000 }))
time("PEM parse only (createPrivateKey)", () => createPrivateKey(pem))
time("RSA-SHA1 sign, KeyObject parsed once", () => sign("sha1", Buffer.from(policy), keyObject))
