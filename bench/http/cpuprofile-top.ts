/**
 * Where a V8 CPU profile (`node --cpu-prof`) spent its time: top frames by
 * self time, self time per area (Effect, sockets, crypto, ...), and the
 * inclusive time of named frames. Run: `node bench/http/cpuprofile-top.ts FILE.cpuprofile [frame-name ...]`.
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly children?: ReadonlyArray<number>
}
interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

const areas: ReadonlyArray<readonly [string, RegExp]> = [
  ["idle", /^\(idle\)/],
  ["garbage collector", /^\(garbage collector\)/],
  ["cloudfront signer + crypto", /cloudfront-signer|node:internal\/crypto|^\(native\) sign/],
  ["AWS SDK (DynamoDB client, SigV4)", /@smithy|@aws-sdk/],
  ["dynalite + LevelDB", /dynalite|classic-level|abstract-level|levelup|leveldown|lazy\.js/],
  ["sharp (JS side)", /node_modules\/sharp\//],
  ["effect http / http-api", /node_modules\/effect\/dist\/(http|unstable\/http|.*Http)/],
  ["effect schema", /node_modules\/effect\/dist\/.*(Schema|Parser|AST)/],
  ["effect runtime (fibers, logs, spans)", /node_modules\/effect\//],
  ["@effect/platform-node", /@effect\/platform-node/],
  ["node http + net", /node:(_http|http|net|internal\/(http|stream|streams|net))/],
  ["node (other)", /^node:/],
  ["our code", /\/(core|adapters|apps|bench)\/src|\/bench\//]
]

const areaOf = (url: string, name: string) => {
  const key = url === "" ? `(native) ${name}` : url
  return areas.find(([, re]) => re.test(key) || re.test(name))?.[0] ?? (url === "" ? "native (program, builtins)" : "other")
}

export const summarize = (file: string, names: ReadonlyArray<string> = []): string => {
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile
  const self = new Map<number, number>()
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
  const total = [...self.values()].reduce((a, b) => a + b, 0)
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`
  const label = (n: ProfileNode) => `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.replace(/.*node_modules\//, "")}:${n.callFrame.lineNumber + 1}`

  const frames = new Map<string, number>()
  const byArea = new Map<string, number>()
  for (const [id, us] of self) {
    const node = byId.get(id)!
    frames.set(label(node), (frames.get(label(node)) ?? 0) + us)
    const area = areaOf(node.callFrame.url, node.callFrame.functionName)
    byArea.set(area, (byArea.get(area) ?? 0) + us)
  }
  // Inclusive time of a named frame: its subtree, counted once even when it recurses.
  const inclusive = (name: string) => {
    let sum = 0
    const walk = (id: number, inside: boolean) => {
      const node = byId.get(id)!
      const here = inside || node.callFrame.functionName === name
      if (here) sum += self.get(id) ?? 0
      for (const child of node.children ?? []) walk(child, here)
    }
    walk(profile.nodes[0]!.id, false)
    return sum
  }
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n)
  return [
    `${file}: ${(total / 1e6).toFixed(1)} s sampled`,
    "self time by area:",
    ...top(byArea, 20).map(([k, us]) => `  ${pct(us)}  ${k}`),
    "top frames by self time:",
    ...top(frames, 25).map(([k, us]) => `  ${pct(us)}  ${k}`),
    ...(names.length === 0 ? [] : ["inclusive time of named frames:", ...names.map((n) => `  ${pct(inclusive(n))}  ${n}`)])
  ].join("\n")
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, ...names] = process.argv.slice(2)
  if (file === undefined) throw new Error("usage: node bench/http/cpuprofile-top.ts FILE.cpuprofile [frame-name ...]")
  console.log(summarize(file, names))
}
