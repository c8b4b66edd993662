/**
 * Write intents: what makes the embedded store's index repair cost what was in
 * flight at a kill, not the size of the table. dynalite writes an item's index
 * entries and then the item as separate LevelDB writes, so a process killed in
 * between leaves an item whose entries are gone or stale, or entries no item
 * owns (see RepairIndexes.ts for what that does to the sweeper and search).
 *
 * Journaled, every item write first records its intent in the same LevelDB
 * (`~media-intent~<id>`: the table, the item's key and every index entry the
 * write may put or delete), and only once LevelDB has it are the index entries
 * written; after the item is written the intent is done, and done intents are
 * removed together, `removeEvery` at a time or after `removeAfterMillis` idle
 * (one LevelDB write for many). So a kill leaves at most the writes in flight
 * and a few dozen finished ones to settle.
 *
 * At the next open, each intent left is settled before any request: the item's
 * index entries are derived again from the item as stored, and the other
 * entries the intent names are removed. dynalite locks an item for the whole
 * write, so one item has at most one live intent at a time.
 *
 * This reaches into dynalite 4's store (its `updateIndexes` and sub-databases),
 * as DynaliteServer and LevelFaults do; DynamoDB keeps its indexes itself and
 * never goes through here.
 */
import db from "dynalite/db/index.js"
import { Effect, Stream } from "effect"
import { RepositoryError } from "@media-object-storage/core/ports/FileRepository"

type Callback = (error?: unknown, value?: unknown) => void
type Item = Record<string, unknown>

interface SubDb {
  put(key: string, value: unknown, callback: Callback): void
  get(key: string, callback: Callback): void
  del(key: string, callback: Callback): void
}

interface TableDescription {
  readonly TableName: string
  readonly LocalSecondaryIndexes?: ReadonlyArray<unknown>
  readonly GlobalSecondaryIndexes?: ReadonlyArray<unknown>
}

/**
 * dynalite's store (`dynalite/db/index.js`'s `create()`), as this module's published signatures name
 * it: an object, so the .d.ts needs no declarations of dynalite (it ships none; ours are private).
 */
export type DynaliteStoreRef = object

/** The parts of dynalite 4's store and `db` module this file uses (undeclared in dynalite.d.ts on purpose). */
interface Store {
  readonly db: {
    put(key: string, value: unknown, callback: Callback): void
    get(key: string, callback: Callback): void
    del(key: string, callback: Callback): void
    batch(operations: ReadonlyArray<{ readonly type: "del"; readonly key: string }>, callback: Callback): void
    iterator(options: { gte: string; lt: string }): AsyncIterable<[string, Intent]>
  }
  getItemDb: (tableName: string) => SubDb
  readonly getIndexDb: (indexType: IndexType, tableName: string, indexName: string) => SubDb
  readonly getTable: (name: string, checkStatus: boolean, callback: (error: unknown, table?: TableDescription) => void) => void
}
type UpdateIndexes = (store: Store, table: TableDescription, existing: Item | undefined, item: Item | undefined, callback: Callback) => void
interface DbModule {
  updateIndexes: UpdateIndexes
  readonly createKey: (item: Item, table: TableDescription) => string
  readonly getIndexActions: (
    indexes: ReadonlyArray<unknown>,
    existing: Item | null | undefined,
    item: Item | null | undefined,
    table: TableDescription
  ) => {
    readonly puts: ReadonlyArray<{ readonly index: string; readonly key: string; readonly item: Item }>
    readonly deletes: ReadonlyArray<{ readonly index: string; readonly key: string }>
  }
}

type IndexType = "Local" | "Global"
const indexTypes: ReadonlyArray<IndexType> = ["Local", "Global"]

/** One index entry: dynalite's sub-database of the index and the entry's key in it. */
interface Entry {
  readonly type: IndexType
  readonly index: string
  readonly key: string
}

/** What LevelDB holds for one write in flight. */
interface Intent {
  readonly table: string
  readonly key: string
  readonly entries: ReadonlyArray<Entry>
}

/** dynalite keeps its data under `table~`, `item-…`, `index-…`, `tag-…`: these keys are in none of them. */
const intentPrefix = "~media-intent~"
/** Present once a store has been journaled: an unclean stop of a store without it needs the full repair. */
const journalMarker = "~media-intents-journaled"

const dynaliteDb = db as unknown as DbModule
const originalUpdateIndexes = dynaliteDb.updateIndexes

interface Journal {
  readonly store: Store
  readonly runId: string
  sequence: number
  /** Per table and item key, the intent of the write under way (dynalite locks the item meanwhile). */
  readonly pending: Map<string, string>
  /** Intents of finished writes, not yet removed. */
  done: Array<string>
  timer: ReturnType<typeof setTimeout> | undefined
}

const removeEvery = 32
const removeAfterMillis = 50

/** Removes the done intents in one batch, then calls `then`; a failure leaves them to the next open's settle. */
const removeDone = (journal: Journal, then: () => void = () => {}) => {
  if (journal.timer !== undefined) clearTimeout(journal.timer)
  journal.timer = undefined
  const ids = journal.done
  journal.done = []
  if (ids.length === 0) return then()
  journal.store.db.batch(ids.map((key) => ({ type: "del", key })), () => then())
}

const finished = (journal: Journal, id: string) => {
  journal.done.push(id)
  if (journal.done.length >= removeEvery) return removeDone(journal)
  journal.timer ??= setTimeout(() => removeDone(journal), removeAfterMillis)
  journal.timer.unref()
}

const journals = new WeakMap<object, Journal>()

const pendingKey = (tableName: string, itemKey: string) => `${tableName}\u0000${itemKey}`

/** The index entries `item` has in `table`, with the item each holds (indexes project it). */
const entriesOf = (table: TableDescription, item: Item | null | undefined) =>
  indexTypes.flatMap((type) =>
    dynaliteDb.getIndexActions(table[`${type}SecondaryIndexes`] ?? [], null, item, table).puts.map((put) => ({
      type,
      index: put.index,
      key: put.key,
      item: put.item
    }))
  )

/** Every entry a write from `existing` to `item` may put or delete. */
const touchedEntries = (table: TableDescription, existing: Item | undefined, item: Item | undefined): Array<Entry> =>
  indexTypes.flatMap((type) => {
    const actions = dynaliteDb.getIndexActions(table[`${type}SecondaryIndexes`] ?? [], existing, item, table)
    return [...actions.puts, ...actions.deletes].map(({ index, key }) => ({ type, index, key }))
  })

const journaledUpdateIndexes: UpdateIndexes = (store, table, existing, item, callback) => {
  const journal = journals.get(store)
  const subject = item ?? existing
  if (journal === undefined || subject === undefined) return originalUpdateIndexes(store, table, existing, item, callback)
  const key = dynaliteDb.createKey(subject, table)
  const id = `${intentPrefix}${journal.runId}.${(journal.sequence++).toString(36).padStart(8, "0")}`
  const intent: Intent = { table: table.TableName, key, entries: touchedEntries(table, existing, item) }
  const pending = pendingKey(table.TableName, key)
  store.db.put(id, intent, (error) => {
    if (error !== undefined && error !== null) return callback(error)
    journal.pending.set(pending, id)
    originalUpdateIndexes(store, table, existing, item, (error) => {
      // A failed index write keeps its intent: the next open settles it.
      if (error !== undefined && error !== null) journal.pending.delete(pending)
      callback(error)
    })
  })
}

/** After a successful write of an item, its intent is done (a left-over intent only costs a settle). */
const completing = (journal: Journal, tableName: string, write: SubDb["put"] | SubDb["del"]) =>
  (key: string, ...rest: Array<unknown>) => {
    const callback = rest.at(-1) as Callback
    const args = [...rest.slice(0, -1), (error?: unknown, value?: unknown) => {
      const pending = pendingKey(tableName, key)
      const id = journal.pending.get(pending)
      if (id !== undefined) {
        journal.pending.delete(pending)
        if (error === undefined || error === null) finished(journal, id)
      }
      callback(error, value)
    }]
    return (write as (...args: Array<unknown>) => void)(key, ...args)
  }

const failed = (cause: unknown) => new RepositoryError({ operation: "writeIntents", cause })

/** One of dynalite's callback calls as an Effect. */
const call = <A = unknown>(operation: (callback: Callback) => void): Effect.Effect<A, RepositoryError> =>
  Effect.callback<A, RepositoryError>((resume) =>
    operation((error, value) => resume(error === undefined || error === null ? Effect.succeed(value as A) : Effect.fail(failed(error))))
  )

const isNotFound = (error: RepositoryError) => (error.cause as { name?: unknown } | null)?.name === "NotFoundError"

/** A missing key as undefined (LevelDB, as abstract-level 3 does; older ones fail with a NotFoundError). */
const orMissing = <A>(read: Effect.Effect<A, RepositoryError>) =>
  read.pipe(Effect.catchIf(isNotFound, () => Effect.succeed(undefined)))

/**
 * Journals every item write of `store` from now on (call it after `settle`, before
 * any request). `runId` tells this run's intents from any other's. Gives a `flush`
 * that removes the done intents at once: run it once the last write is over,
 * before the store closes, so a clean stop leaves nothing to settle.
 */
export const journal = (store: DynaliteStoreRef, runId: string): Effect.Effect<Effect.Effect<void>, RepositoryError> => {
  const target = store as unknown as Store
  const state: Journal = { store: target, runId, sequence: 0, pending: new Map(), done: [], timer: undefined }
  journals.set(target, state)
  // Patched once per process: stores without a journal go straight to dynalite's own.
  if (dynaliteDb.updateIndexes === originalUpdateIndexes) dynaliteDb.updateIndexes = journaledUpdateIndexes
  const wrapped = new WeakSet<SubDb>()
  const getItemDb = target.getItemDb
  target.getItemDb = (tableName) => {
    const itemDb = getItemDb(tableName)
    if (!wrapped.has(itemDb)) {
      wrapped.add(itemDb)
      itemDb.put = completing(state, tableName, itemDb.put.bind(itemDb)) as SubDb["put"]
      itemDb.del = completing(state, tableName, itemDb.del.bind(itemDb)) as SubDb["del"]
    }
    return itemDb
  }
  const flush = Effect.callback<void>((resume) => removeDone(state, () => resume(Effect.void)))
  return Effect.as(call((done) => target.db.put(journalMarker, { version: 1 }, done)), flush)
}

/** What the open found and did. */
export interface SettleReport {
  /** Intents left by the last run (writes a kill cut off, or finished writes whose intent had not gone yet). */
  readonly settled: number
  /** Index entries removed because the item as stored does not have them. */
  readonly entriesRemoved: number
  /** The store was journaled before: false for a store written only by a build without intents. */
  readonly journaledBefore: boolean
}

/** Settles one intent: the item's entries as the item is stored now, and none of the others it names; how many it removed. */
const settleOne = Effect.fnUntraced(function*(store: Store, intent: Intent) {
  // A table that is gone took its entries with it.
  const table = yield* orMissing(call<TableDescription | undefined>((done) => store.getTable(intent.table, false, done)))
  if (table === undefined) return 0
  const item = yield* orMissing(call<Item | undefined>((done) => store.getItemDb(intent.table).get(intent.key, done)))
  const correct = entriesOf(table, item)
  const keep = new Set(correct.map((entry) => `${entry.type}\u0000${entry.index}\u0000${entry.key}`))
  const stale = intent.entries.filter((entry) => !keep.has(`${entry.type}\u0000${entry.index}\u0000${entry.key}`))
  for (const entry of stale) {
    yield* call((done) => store.getIndexDb(entry.type, intent.table, entry.index).del(entry.key, done))
  }
  for (const entry of correct) {
    yield* call((done) => store.getIndexDb(entry.type, intent.table, entry.index).put(entry.key, entry.item, done))
  }
  return stale.length
})

/** Settles every intent the last run left, one after another; run it before the store serves anything. */
export const settle = Effect.fnUntraced(function*(store: DynaliteStoreRef): Effect.fn.Return<SettleReport, RepositoryError> {
  const target = store as unknown as Store
  const journaledBefore = (yield* orMissing(call((done) => target.db.get(journalMarker, done)))) !== undefined
  const left = yield* Stream.runCollect(
    Stream.fromAsyncIterable(target.db.iterator({ gte: intentPrefix, lt: `${intentPrefix}\uffff` }), failed)
  )
  let entriesRemoved = 0
  for (const [id, intent] of left) {
    entriesRemoved += yield* settleOne(target, intent)
    yield* call((done) => target.db.del(id, done))
  }
  return { settled: left.length, entriesRemoved, journaledBefore }
})
