/**
 * The FileRepository contract: every implementation (memory, dynalite,
 * DynamoDB Local) runs this suite, so the fake cannot drift from the real one.
 * Each test works in fresh random accounts, so one shared table is enough.
 */
import { assert, layer } from "@effect/vitest"
import { Effect, type Layer, Option } from "effect"
import { type EntityKey, parsePrefix } from "../../src/EntityKey.ts"
import type { EntityType } from "../../src/EntityType.ts"
import type { FileRecord } from "../../src/FileRecord.ts"
import type { AccountId, FileId } from "../../src/Ids.ts"
import { FileRepository, type SearchQuery } from "../../src/ports/FileRepository.ts"
import { compareCodePoints } from "../../src/SortPosition.ts"

const account = (): AccountId => `c-${globalThis.crypto.randomUUID()}` as AccountId
const fileId = (): FileId => globalThis.crypto.randomUUID() as FileId

// Far in the future, so other tests' records never crowd the listDue test's window.
const notDueSoon = 4_000_000_000

const record = (accountId: AccountId, entityId: string, overrides: Partial<FileRecord> = {}): FileRecord => ({
  fileId: fileId(),
  accountId,
  entityType: "shipment_item",
  entityId: entityId as EntityKey,
  contentType: "image/png",
  status: "uploading",
  fileSize: 0,
  createdAt: 1_700_000_000,
  updatedAt: 1_700_000_000,
  version: 0,
  attempts: 0,
  uploadExpiresAt: 1_700_000_900,
  dueAt: notDueSoon,
  ...overrides
})

const prefix = (raw: string) => {
  const parsed = parsePrefix("shipment_item", raw)
  if (parsed._tag === "Failure") throw new Error(parsed.failure.message)
  return parsed.success
}

/** SPEC §3 order, written independently of SortPosition's encoding. */
const specOrder = (a: FileRecord, b: FileRecord): number =>
  compareCodePoints(a.entityId, b.entityId) || a.createdAt - b.createdAt || compareCodePoints(a.fileId, b.fileId)

const ids = (records: ReadonlyArray<FileRecord>) => records.map((r) => r.fileId)

export const fileRepositoryContract = (name: string, repositoryLayer: Layer.Layer<FileRepository, unknown>) =>
  layer(repositoryLayer, { timeout: "60 seconds" })(`FileRepository contract: ${name}`, (it) => {
    const createAll = (records: ReadonlyArray<FileRecord>) =>
      Effect.gen(function*() {
        const repo = yield* FileRepository
        yield* Effect.forEach(records, (r) => repo.create(r), { concurrency: 4, discard: true })
      })
    const search = (query: Omit<SearchQuery, "limit"> & { readonly limit?: number }) =>
      FileRepository.use((repo) => repo.search({ limit: 100, ...query }))

    it.effect("returns a created record exactly, optional fields included", () =>
      Effect.gen(function*() {
        const repo = yield* FileRepository
        const a = account()
        const records = [
          record(a, "S1|SKU-1|DAMAGED|D1", { declaredSize: 1234 }),
          record(a, "Ünïcødé|😀 SKU|R|D", { status: "processing", attempts: 2, version: 5, leaseExpiresAt: 1_700_000_300 }),
          (({ dueAt: _, ...r }) => ({ ...r, status: "ready", contentType: "image/jpeg", width: 4096, height: 2048, fileSize: 99 } as FileRecord))(record(a, "S1|SKU-1|DAMAGED|D2")),
          (({ dueAt: _, ...r }) => ({ ...r, status: "failed", failureReason: "too_many_pixels" } as FileRecord))(record(a, "S1|SKU-1|DAMAGED|D3"))
        ]
        yield* createAll(records)
        for (const r of records) assert.deepStrictEqual(yield* repo.get(a, r.fileId), Option.some(r))
      }))

    it.effect("refuses to create a record whose id is taken", () =>
      Effect.gen(function*() {
        const repo = yield* FileRepository
        const r = record(account(), "S1|A|B|D1")
        yield* repo.create(r)
        const error = yield* Effect.flip(repo.create({ ...r, entityId: "S2|A|B|D1" as EntityKey }))
        assert.strictEqual(error._tag, "WriteConflict")
        assert.deepStrictEqual(yield* repo.get(r.accountId, r.fileId), Option.some(r))
      }))

    it.effect("returns none for an unknown id", () =>
      Effect.gen(function*() {
        assert.isTrue(Option.isNone(yield* FileRepository.use((repo) => repo.get(account(), fileId()))))
      }))

    it.effect("transitions only from the expected version", () =>
      Effect.gen(function*() {
        const repo = yield* FileRepository
        const r = record(account(), "S1|A|B|D1")
        yield* repo.create(r)
        const next: FileRecord = { ...r, status: "uploaded", fileSize: 10, version: 1, dueAt: notDueSoon + 60 }
        yield* repo.transition(next, 0)
        assert.deepStrictEqual(yield* repo.get(r.accountId, r.fileId), Option.some(next))
        const stale = yield* Effect.flip(repo.transition({ ...next, status: "failed", version: 1 }, 0))
        assert.strictEqual(stale._tag, "WriteConflict")
        assert.deepStrictEqual(yield* repo.get(r.accountId, r.fileId), Option.some(next))
      }))

    it.effect("removes optional fields a transition drops", () =>
      Effect.gen(function*() {
        const repo = yield* FileRepository
        const r = record(account(), "S1|A|B|D1", { status: "processing", attempts: 1, leaseExpiresAt: 5 })
        yield* repo.create(r)
        const { leaseExpiresAt: _l, dueAt: _d, ...rest } = r
        const next: FileRecord = { ...rest, status: "ready", contentType: "image/jpeg", width: 1, height: 2, version: 1 }
        yield* repo.transition(next, 0)
        assert.deepStrictEqual(yield* repo.get(r.accountId, r.fileId), Option.some(next))
      }))

    it.effect("refuses to transition a missing record", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(FileRepository.use((repo) => repo.transition(record(account(), "S1|A|B|D1"), 0)))
        assert.strictEqual(error._tag, "WriteConflict")
      }))

    it.effect("deletes a record once, returning it", () =>
      Effect.gen(function*() {
        const repo = yield* FileRepository
        const r = record(account(), "S1|A|B|D1")
        yield* repo.create(r)
        assert.deepStrictEqual(yield* repo.delete(r.accountId, r.fileId), Option.some(r))
        assert.isTrue(Option.isNone(yield* repo.get(r.accountId, r.fileId)))
        assert.isTrue(Option.isNone(yield* repo.delete(r.accountId, r.fileId)))
        const error = yield* Effect.flip(repo.transition({ ...r, version: 1 }, 0))
        assert.strictEqual(error._tag, "WriteConflict")
      }))

    it.effect("keeps accounts apart: get, delete, transition and search never cross them", () =>
      Effect.gen(function*() {
        const repo = yield* FileRepository
        const [a, b] = [account(), account()]
        const mine = record(a, "S1|A|B|D1")
        yield* repo.create(mine)
        yield* repo.create({ ...mine, accountId: b, entityId: "S1|A|B|D2" as EntityKey })
        assert.isTrue(Option.isNone(yield* repo.get(account(), mine.fileId)))
        assert.isTrue(Option.isNone(yield* repo.delete(account(), mine.fileId)))
        const error = yield* Effect.flip(repo.transition({ ...mine, accountId: account(), version: 1 }, 0))
        assert.strictEqual(error._tag, "WriteConflict")
        assert.deepStrictEqual(yield* repo.get(a, mine.fileId), Option.some(mine))
        const page = yield* search({ accountId: a, entityType: "shipment_item", prefix: prefix("S1") })
        assert.deepStrictEqual(ids(page.files), [mine.fileId])
        const theirs = yield* search({ accountId: b, entityType: "shipment_item", prefix: prefix("S1") })
        assert.deepStrictEqual(theirs.files.map((r) => r.entityId), ["S1|A|B|D2"])
      }))

    it.effect("keeps entity types apart in search", () =>
      Effect.gen(function*() {
        const a = account()
        yield* createAll([record(a, "S1|A|B|D1")])
        const other = "other_item" as unknown as EntityType
        const page = yield* search({ accountId: a, entityType: other, prefix: { ...prefix("S1"), entityType: other } })
        assert.deepStrictEqual(page.files, [])
        assert.isFalse(page.more)
      }))

    it.effect("orders by entity id in code point order, then created_at, then file_id", () =>
      Effect.gen(function*() {
        const a = account()
        // Z < a < z < é < U+FF5A < U+1F600 by code point; UTF-16 would put the emoji before U+FF5A.
        const skus = ["😀", "\uFF5A", "é", "z", "a", "Z", "a b", "ab"]
        const records = skus.flatMap((sku, i) => [
          record(a, `S1|${sku}|R|D`, { createdAt: 1_700_000_000 + (i % 3) }),
          record(a, `S1|${sku}|R|D`, { createdAt: 1_700_000_000 }),
          record(a, `S1|${sku}|R|D0`, { createdAt: 1_600_000_000 }),
          record(a, `S1|${sku}|R|D`, { createdAt: 1_700_000_000 })
        ])
        yield* createAll(records)
        const page = yield* search({ accountId: a, entityType: "shipment_item", prefix: prefix("S1") })
        assert.deepStrictEqual(ids(page.files), ids([...records].sort(specOrder)))
        assert.isFalse(page.more)
      }))

    it.effect("matches prefixes on whole parts only", () =>
      Effect.gen(function*() {
        const a = account()
        const keys = ["S1|A|B|D1", "S1|A|B|D10", "S1|AB|B|D1", "S1|A|BC|D1", "S10|A|B|D1", "S1|é|B|D1", "S1|é😀|B|D1"]
        const records = keys.map((k) => record(a, k))
        yield* createAll(records)
        const found = (raw: string) =>
          search({ accountId: a, entityType: "shipment_item", prefix: prefix(raw) }).pipe(
            Effect.map((page) => page.files.map((r) => r.entityId).sort())
          )
        assert.deepStrictEqual(yield* found("S1"), keys.filter((k) => k.startsWith("S1|")).sort())
        assert.deepStrictEqual(yield* found("S10"), ["S10|A|B|D1"].sort())
        assert.deepStrictEqual(yield* found("S1|A"), ["S1|A|B|D1", "S1|A|B|D10", "S1|A|BC|D1"].sort())
        assert.deepStrictEqual(yield* found("S1|A|B"), ["S1|A|B|D1", "S1|A|B|D10"].sort())
        assert.deepStrictEqual(yield* found("S1|A|B|D1"), ["S1|A|B|D1"].sort())
        assert.deepStrictEqual(yield* found("S1|é"), ["S1|é|B|D1"].sort())
        assert.deepStrictEqual(yield* found("S1|é😀"), ["S1|é😀|B|D1"].sort())
        assert.deepStrictEqual(yield* found("S"), [])
      }))

    it.effect("pages strictly after a position and reports more exactly", () =>
      Effect.gen(function*() {
        const a = account()
        const records = Array.from({ length: 7 }, (_, i) => record(a, `S1|A|B|D${i % 3}`, { createdAt: 1_700_000_000 + (i % 2) }))
        yield* createAll(records)
        const sorted = [...records].sort(specOrder)
        const q = { accountId: a, entityType: "shipment_item", prefix: prefix("S1") } as const
        const exact = yield* search({ ...q, limit: 7 })
        assert.deepStrictEqual(ids(exact.files), ids(sorted))
        assert.isFalse(exact.more)
        const short = yield* search({ ...q, limit: 6 })
        assert.deepStrictEqual(ids(short.files), ids(sorted.slice(0, 6)))
        assert.isTrue(short.more)
        const third = sorted[2]!
        const after = { entityId: third.entityId, createdAt: third.createdAt, fileId: third.fileId }
        const rest = yield* search({ ...q, after, limit: 3 })
        assert.deepStrictEqual(ids(rest.files), ids(sorted.slice(3, 6)))
        assert.isTrue(rest.more)
        const tail = yield* search({ ...q, after, limit: 4 })
        assert.deepStrictEqual(ids(tail.files), ids(sorted.slice(3)))
        assert.isFalse(tail.more)
        const last = sorted[6]!
        const none = yield* search({ ...q, after: { entityId: last.entityId, createdAt: last.createdAt, fileId: last.fileId }, limit: 1 })
        assert.deepStrictEqual(none.files, [])
        assert.isFalse(none.more)
      }))

    it.effect("returns files in every status and the records' current state", () =>
      Effect.gen(function*() {
        const repo = yield* FileRepository
        const a = account()
        const r = record(a, "S1|A|B|D1")
        yield* repo.create(r)
        yield* repo.transition({ ...r, status: "uploaded", fileSize: 3, version: 1 }, 0)
        const page = yield* search({ accountId: a, entityType: "shipment_item", prefix: prefix("S1|A|B|D1") })
        assert.deepStrictEqual(page.files.map((f) => [f.status, f.fileSize, f.version]), [["uploaded", 3, 1]])
      }))

    it.effect("lists due records of every account, soonest first, and forgets them once not due", () =>
      Effect.gen(function*() {
        const repo = yield* FileRepository
        const [a, b] = [account(), account()]
        // A window of our own, well below every other test's dueAt.
        const t0 = 1_000 + (globalThis.crypto.getRandomValues(new Uint32Array(1))[0]! % 1_000_000)
        const due = [
          record(a, "S1|A|B|D1", { dueAt: t0 + 3 }),
          record(b, "S1|A|B|D2", { dueAt: t0 + 1 }),
          record(a, "S1|A|B|D3", { dueAt: t0 + 2 }),
          record(b, "S1|A|B|D4", { dueAt: t0 + 2 })
        ]
        const later = record(a, "S1|A|B|D5", { dueAt: t0 + 4 })
        const { dueAt: _, ...noDue } = record(a, "S1|A|B|D6", { status: "ready", width: 1, height: 1 })
        yield* createAll([...due, later, noDue as FileRecord])
        const ours = (rs: ReadonlyArray<FileRecord>) => rs.filter((r) => r.accountId === a || r.accountId === b)
        const listed = ours(yield* repo.listDue(t0 + 3, 1_000))
        assert.sameMembers(ids(listed), ids(due))
        assert.deepStrictEqual(listed.map((r) => r.dueAt), [t0 + 1, t0 + 2, t0 + 2, t0 + 3])
        const limited = yield* repo.listDue(t0 + 3, 2)
        assert.isAtMost(limited.length, 2)
        for (const [i, r] of limited.entries()) {
          assert.isAtMost(r.dueAt!, t0 + 3)
          if (i > 0) assert.isAtLeast(r.dueAt!, limited[i - 1]!.dueAt!)
        }
        // Dropping dueAt (a final state) takes a record off the list; moving it later does too.
        const { dueAt: _d, ...first } = due[1]!
        yield* repo.transition({ ...first, status: "failed", failureReason: "upload_expired", version: 1 }, 0)
        yield* repo.transition({ ...due[0]!, dueAt: t0 + 10, version: 1 }, 0)
        const after = ours(yield* repo.listDue(t0 + 3, 1_000))
        assert.sameMembers(ids(after), [due[2]!.fileId, due[3]!.fileId])
        yield* Effect.forEach([...due, later, noDue as FileRecord], (r) => repo.delete(r.accountId, r.fileId), { discard: true })
      }))
  })
