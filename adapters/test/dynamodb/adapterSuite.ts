/**
 * Tests of what is particular to the DynamoDB adapter (key layout, paging over
 * short Query pages, start keys, conditional writes, the due index), run
 * against each local server. The port's behaviour at large is the contract suite's.
 */
import { assert, describe, it } from "@effect/vitest"
import { PutCommand } from "@aws-sdk/lib-dynamodb"
import type { EntityKey } from "@media-object-storage/core/EntityKey"
import type { FileRecord } from "@media-object-storage/core/FileRecord"
import { FileRepository } from "@media-object-storage/core/ports/FileRepository"
import { Effect, Option, Result } from "effect"
import { DynamoTable } from "../../src/dynamodb/DynamoTable.ts"
import { fileKey, searchPk } from "../../src/dynamodb/FileItem.ts"
import { createTable, tableReady } from "../../src/dynamodb/TableSchema.ts"
import { accountA, fileId, freshRepository, type LocalStore, record } from "./fixtures.ts"
import { allPages, ids, positionOf, prefix } from "./searchHelpers.ts"
import { orderingSuite } from "./orderingSuite.ts"

export const adapterSuite = (name: string, endpoint: LocalStore) =>
  describe(`DynamoFileRepository (${name})`, () => {
    const fresh = (options: { pageSize?: number } = {}) => Effect.provide(freshRepository(endpoint, options))

    it.effect("round-trips a record with every optional field through a strongly consistent get", () =>
      Effect.gen(function*() {
        const repo = yield* FileRepository
        const full = record(1, {
          status: "ready", declaredSize: 10, leaseExpiresAt: 5, dueAt: 7, width: 3, height: 4, fileSize: 99
        })
        yield* repo.create(full)
        assert.deepStrictEqual(yield* repo.get(accountA, full.fileId), Option.some(full))
        // Same file id, other account: a different item.
        assert.isTrue(Option.isNone(yield* repo.get("acc-other" as typeof accountA, full.fileId)))
      }).pipe(fresh()))

    it.effect("create on an existing id fails with WriteConflict and keeps the first record", () =>
      Effect.gen(function*() {
        const repo = yield* FileRepository
        yield* repo.create(record(1))
        const error = yield* repo.create(record(1, { contentType: "image/gif" })).pipe(Effect.flip)
        assert.strictEqual(error._tag, "WriteConflict")
        const stored = yield* repo.get(accountA, fileId(1))
        assert.strictEqual(Option.getOrThrow(stored).contentType, "image/png")
      }).pipe(fresh()))

    it.effect("transition on a stale version or a missing file fails with WriteConflict", () =>
      Effect.gen(function*() {
        const repo = yield* FileRepository
        yield* repo.create(record(1))
        yield* repo.transition(record(1, { status: "uploaded", version: 1 }), 0)
        const stale = yield* repo.transition(record(1, { status: "processing", version: 1 }), 0).pipe(Effect.flip)
        assert.strictEqual(stale._tag, "WriteConflict")
        const missing = yield* repo.transition(record(2, { version: 1 }), 0).pipe(Effect.flip)
        assert.strictEqual(missing._tag, "WriteConflict")
        assert.isTrue(Option.isNone(yield* repo.get(accountA, fileId(2))))
        assert.strictEqual(Option.getOrThrow(yield* repo.get(accountA, fileId(1))).status, "uploaded")
      }).pipe(fresh()))

    it.effect("of two transitions racing from one version, exactly one wins", () =>
      Effect.gen(function*() {
        const repo = yield* FileRepository
        for (let n = 1; n <= 8; n++) {
          yield* repo.create(record(n))
          const [a, b] = yield* Effect.all([
            repo.transition(record(n, { status: "uploaded", fileSize: 1, version: 1 }), 0).pipe(Effect.result),
            repo.transition(record(n, { status: "uploaded", fileSize: 2, version: 1 }), 0).pipe(Effect.result)
          ], { concurrency: 2 })
          assert.strictEqual([a, b].filter(Result.isSuccess).length, 1)
          const lost = Result.isFailure(a) ? a.failure : Result.isFailure(b) ? b.failure : undefined
          assert.strictEqual(lost?._tag, "WriteConflict")
          const stored = Option.getOrThrow(yield* repo.get(accountA, fileId(n)))
          assert.strictEqual(stored.fileSize, Result.isSuccess(a) ? 1 : 2)
        }
      }).pipe(fresh()))

    it.effect("delete returns the removed record, and nothing the second time", () =>
      Effect.gen(function*() {
        const repo = yield* FileRepository
        yield* repo.create(record(1, { dueAt: 5 }))
        assert.deepStrictEqual(yield* repo.delete(accountA, fileId(1)), Option.some(record(1, { dueAt: 5 })))
        assert.isTrue(Option.isNone(yield* repo.delete(accountA, fileId(1))))
        assert.deepStrictEqual(yield* repo.listDue(10, 10), [])
        assert.deepStrictEqual((yield* repo.search({ accountId: accountA, entityType: "shipment_item", prefix: prefix("S1"), limit: 5 })).files, [])
      }).pipe(fresh()))

    it.effect("a malformed item is a RepositoryError, not a crash", () =>
      Effect.gen(function*() {
        const repo = yield* FileRepository
        const { client, tableName } = yield* DynamoTable
        yield* Effect.promise(() => client.send(new PutCommand({
          TableName: tableName,
          Item: {
            ...fileKey(accountA, fileId(1)), fileId: fileId(1), status: "bogus",
            search_pk: searchPk(accountA, "shipment_item"), search_sk: "S1|x\u0001"
          }
        })))
        const onGet = yield* repo.get(accountA, fileId(1)).pipe(Effect.flip)
        assert.strictEqual(onGet._tag, "RepositoryError")
        assert.strictEqual(onGet.operation, "get")
        const onSearch = yield* repo.search({ accountId: accountA, entityType: "shipment_item", prefix: prefix("S1"), limit: 5 })
          .pipe(Effect.flip)
        assert.strictEqual(onSearch.operation, "search")
        assert.strictEqual((yield* repo.delete(accountA, fileId(1)).pipe(Effect.flip)).operation, "delete")
      }).pipe(fresh()))

    it.effect("fills a page across short DynamoDB pages and reports `more` exactly", () =>
      Effect.gen(function*() {
        const repo = yield* FileRepository
        const entity = (raw: string) => raw as EntityKey
        const inSku1 = Array.from({ length: 7 }, (_, i) => record(i + 1, { entityId: entity("S1|SKU-1|R|D1"), createdAt: 1_000 + i }))
        // Neighbours in sort order that the prefix must not match, and three files of another SKU.
        const others = [
          record(20, { entityId: entity("S1|SKU-10|R|D1") }),
          record(21, { entityId: entity("S1|SKU-1x|R|D1") }),
          ...[22, 23, 24].map((n) => record(n, { entityId: entity("S1|SKU-2|R|D1"), createdAt: n }))
        ]
        yield* Effect.forEach([...others, ...inSku1], repo.create, { discard: true })
        const search = (raw: string, limit: number) =>
          repo.search({ accountId: accountA, entityType: "shipment_item", prefix: prefix(raw), limit })
        const five = yield* search("S1|SKU-1", 5)
        assert.deepStrictEqual(ids(five.files), ids(inSku1.slice(0, 5)))
        assert.isTrue(five.more)
        const seven = yield* search("S1|SKU-1", 7)
        assert.deepStrictEqual(ids(seven.files), ids(inSku1))
        assert.isFalse(seven.more)
        assert.isFalse((yield* search("S1|SKU-2", 3)).more)
        assert.isTrue((yield* search("S1|SKU-2", 2)).more)
        const pages = yield* allPages(accountA, "S1|SKU-1", 3)
        assert.deepStrictEqual(pages.map((p) => p.length), [3, 3, 1])
        assert.deepStrictEqual(ids(pages.flat()), ids(inSku1))
      }).pipe(fresh({ pageSize: 2 })))

    it.effect("resumes strictly after the cursor position, wherever it falls", () =>
      Effect.gen(function*() {
        const repo = yield* FileRepository
        const entityId = "S1|SKU-1|R|D1" as EntityKey
        const a = record(1, { entityId, createdAt: 1_000 })
        const b = record(3, { entityId, createdAt: 1_000 })
        const c = record(2, { entityId, createdAt: 2_000 })
        yield* Effect.forEach([c, b, a], repo.create, { discard: true })
        const after = (position: FileRecord | { entityId: string; createdAt: number; fileId: string }) =>
          repo.search({
            accountId: accountA, entityType: "shipment_item", prefix: prefix("S1"),
            after: "status" in position ? positionOf(position) : position, limit: 10
          })
        assert.deepStrictEqual(ids((yield* after(a)).files), ids([b, c]))
        // A position between two files (no such file exists) still maps to a valid start key.
        assert.deepStrictEqual(ids((yield* after({ entityId, createdAt: 1_000, fileId: fileId(2) })).files), ids([b, c]))
        assert.deepStrictEqual(ids((yield* after({ entityId: "S0|x|y|z", createdAt: 0, fileId: fileId(9) })).files), ids([a, b, c]))
        const past = yield* after({ entityId: "S2|x|y|z", createdAt: 0, fileId: fileId(9) })
        assert.deepStrictEqual(past, { files: [], more: false })
        assert.deepStrictEqual(yield* after(c), { files: [], more: false })
      }).pipe(fresh()))

    it.effect("listDue merges every shard, soonest first, only what is due, up to the limit", () =>
      Effect.gen(function*() {
        const repo = yield* FileRepository
        // Distinct due times, shuffled; two accounts; some not due yet, some never due.
        const records = Array.from({ length: 24 }, (_, i) => {
          const n = i + 1
          const dueAt = (n * 7) % 25 + 100
          return record(n, {
            accountId: n % 2 === 0 ? accountA : "acc-b" as typeof accountA,
            ...(n % 6 === 0 ? {} : { dueAt })
          })
        })
        yield* Effect.forEach(records, repo.create, { discard: true, concurrency: 4 })
        const now = 115
        const expected = records.filter((r) => r.dueAt !== undefined && r.dueAt <= now).sort((x, y) => x.dueAt! - y.dueAt!)
        assert.isAbove(expected.length, 8)
        assert.deepStrictEqual(yield* repo.listDue(now, 100), expected)
        assert.deepStrictEqual(ids(yield* repo.listDue(now, 5)), ids(expected.slice(0, 5)))
        assert.deepStrictEqual(yield* repo.listDue(99, 10), [])
        // Once a file has no dueAt it leaves the index.
        const first = expected[0]!
        const { dueAt: _, ...final } = first
        yield* repo.transition({ ...final, status: "failed", failureReason: "upload_expired", version: first.version + 1 }, first.version)
        assert.deepStrictEqual(ids(yield* repo.listDue(now, 100)), ids(expected.slice(1)))
      }).pipe(fresh({ pageSize: 2 })))

    it.effect("createTable is idempotent and tableReady checks the table", () =>
      Effect.gen(function*() {
        const { client, tableName } = yield* DynamoTable
        yield* createTable(client, tableName)
        yield* tableReady(client, tableName)
        const missing = yield* tableReady(client, "no-such-table").pipe(Effect.flip)
        assert.strictEqual(missing._tag, "RepositoryError")
      }).pipe(fresh()))

    orderingSuite(endpoint)
  })
