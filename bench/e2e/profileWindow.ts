/**
 * Where a V8 CPU profile (`node --cpu-prof`) of the server spent a time window
 * (µs on the process's monotonic clock, as the profile's sample times): self
 * time by part of the upload path, so a benchmark can say where the ms of one
 * upload go. Sampled main-thread time only: libvips threads are not in it.
 */
import { readFileSync } from "node:fs"

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string }
  readonly children?: ReadonlyArray<number>
}
interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly startTime: number
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

/** First match wins, tested on the frame's url, or `(native) <name>` for frames without one. */
const parts: ReadonlyArray<readonly [string, RegExp]> = [
  ["idle", /^\(native\) \(idle\)$/],
  ["garbage collector", /^\(native\) \(garbage collector\)$/],
  ["dynalite + LevelDB", /dynalite|classic-level|abstract-level|levelup|leveldown|lazy\.js|memdown|lock\/|async\/lib/],
  ["AWS SDK (DynamoDB client)", /@smithy|@aws-sdk|@aws-crypto/],
  ["multipart parsing", /MultipartParser|multipasta|FormEvents/],
  ["sharp (JS side)", /node_modules\/sharp\//],
  ["crypto (signing, hashes)", /node:internal\/crypto|cloudfront|^\(native\) (sign|update|digest)/],
  ["effect http", /node_modules\/effect\/dist\/http|@effect\/platform-node/],
  ["effect schema", /node_modules\/effect\/dist\/.*(Schema|Parser|AST)/],
  ["effect runtime (fibers, logs)", /node_modules\/effect\//],
  ["node fs", /node:(fs|internal\/fs)/],
  ["node http + net + streams", /node:(_http|http|net|stream|internal\/(http|stream|streams|net|webstreams))/],
  ["node (other)", /^node:/],
  ["our code", /\/(core|adapters|apps|bench|test)\//],
  ["native (program, builtins)", /^\(native\)/]
]

const partOf = (node: ProfileNode): string => {
  const key = node.callFrame.url === "" ? `(native) ${node.callFrame.functionName}` : node.callFrame.url
  return parts.find(([, re]) => re.test(key))?.[0] ?? "other"
}

/** Self µs per part within `[from, to]` (µs, the profile's clock). */
export const selfTimeByPart = (file: string, from: number, to: number): Map<string, number> => {
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const result = new Map<string, number>()
  let at = profile.startTime
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0
    at += delta
    if (at < from || at > to) return
    const part = partOf(byId.get(id)!)
    result.set(part, (result.get(part) ?? 0) + delta)
  })
  return result
}
