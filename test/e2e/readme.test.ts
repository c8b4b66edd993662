/**
 * The README's walk-through, pasted as a user would: its bash blocks run in
 * order against `npm start`'s entry file, with the `export AUTH=…` line the
 * server printed. Only the port differs from the text (8080 may be taken).
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { freePort, killAll, startServer } from "../hardening/support/ChildServer.ts"

const repoRoot = fileURLToPath(new URL("../../", import.meta.url))

/** The fenced bash blocks of the README section `## <title>`, in order. */
const bashBlocks = (markdown: string, title: string): ReadonlyArray<string> => {
  const start = markdown.indexOf(`## ${title}\n`)
  assert.isAtLeast(start, 0, `README has a section "${title}"`)
  const end = markdown.indexOf("\n## ", start + 1)
  const section = markdown.slice(start, end === -1 ? undefined : end)
  return [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1] ?? "")
}

afterAll(killAll)

describe("README walk-through", () => {
  it.live("works when pasted: upload, ready, thumbnail without EXIF, search, delete, nothing left in the clone", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.acquireRelease(
        Effect.sync(() => mkdtempSync(join(tmpdir(), "media-readme-"))),
        (d) => Effect.sync(() => rmSync(d, { recursive: true, force: true }))
      )
      const port = yield* freePort
      const server = yield* startServer(port, { MEDIA_DATA_DIR: join(dir, "data"), MEDIA_HTTP_LOG: "false" })
      const exportLine = /^\s*(export AUTH='[^']+')\s*$/m.exec(server.output())?.[1]
      assert.isString(exportLine, `the server prints a line to paste:\n${server.output()}`)

      const blocks = bashBlocks(readFileSync(join(repoRoot, "README.md"), "utf8"), "Walk-through with curl")
      assert.isAtLeast(blocks.length, 7)
      const placeholder = /^export AUTH=.*$/m
      assert.match(blocks[0] ?? "", placeholder, "the first block sets AUTH")
      const script = ["set -eo pipefail", ...blocks]
        .join("\n")
        .replace(placeholder, exportLine ?? "")
        .replaceAll("http://localhost:8080", `http://localhost:${port}`)

      const before = readdirSync(repoRoot).sort()
      const run = spawnSync("bash", ["-c", script], {
        cwd: repoRoot,
        encoding: "utf8",
        timeout: 90_000,
        env: { ...process.env, TMPDIR: dir }
      })
      const out = `${run.stdout}\n${run.stderr}`
      assert.strictEqual(run.status, 0, out)
      // Upload and delete both answer 204; the file became ready; the thumbnail is 256×256 and the
      // image keeps the photo's size, neither with EXIF (the sample's GPS position is gone).
      assert.strictEqual(out.match(/^204$/gm)?.length, 2, out)
      assert.match(out, /^ready$/m, out)
      assert.match(out, /thumb\.jpg:\s+JPEG image data.*256x256/, out)
      assert.match(out, /image\.jpg:\s+JPEG image data.*1200x800/, out)
      assert.notMatch(out, /Exif/i, out)
      assert.include(out, `"entity_id":"1RT823V93|SKU-001|DAMAGED|51076f94"`, "search finds the file")
      assert.deepStrictEqual(readdirSync(repoRoot).sort(), before, "the walk-through leaves nothing in the clone")
    }), 150_000)
})
