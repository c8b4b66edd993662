/**
 * Paging of DynamoDB reads (Query, Scan) in one place: a page can come back
 * short (1 MB cap, or a small page size), so one request is never assumed to
 * be the whole answer, and every reader follows `LastEvaluatedKey` the same way.
 */
import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb"
import { Effect, Option, Stream } from "effect"
import { send } from "./DynamoCall.ts"
import type { RepositoryError } from "@media-object-storage/core/ports/FileRepository"

/** An item, or a key to resume from, as the document client gives them. */
export type Item = Record<string, unknown>

/** What a paged read answers with. */
export interface PagedOutput {
  readonly Items?: ReadonlyArray<Item> | undefined
  readonly LastEvaluatedKey?: Item | undefined
}

/** One page, with how many items the pages before it held, and whether DynamoDB said nothing follows. */
export interface Page<O extends PagedOutput> {
  readonly output: O
  readonly before: number
  readonly last: boolean
}

/**
 * The pages of a read from `start`, one request each, following `LastEvaluatedKey` until DynamoDB says
 * nothing follows, or `maxPages` (a bound on a runaway read). `fetch` gets the key to resume from (none
 * for the first page without `start`) and how many items the pages before held (to size its `Limit`).
 */
export const pages = <O extends PagedOutput, E, R>(
  fetch: (start: Item | undefined, before: number) => Effect.Effect<O, E, R>,
  options: { readonly start?: Item | undefined; readonly maxPages: number }
): Stream.Stream<Page<O>, E, R> =>
  Stream.paginate({ start: options.start, before: 0 }, (state) =>
    Effect.map(fetch(state.start, state.before), (output) => {
      const next = output.LastEvaluatedKey
      const page: Page<O> = { output, before: state.before, last: next === undefined }
      const more = next === undefined
        ? Option.none()
        : Option.some({ start: next, before: state.before + (output.Items?.length ?? 0) })
      return [[page], more] as const
    })).pipe(Stream.take(options.maxPages))

/** The items of a page. */
export const itemsOf = (page: Page<PagedOutput>): ReadonlyArray<Item> => page.output.Items ?? []

/** Stops a runaway scan; a search that hits it reports `more` and resumes from its cursor. */
const maxPages = 1000

export interface Collected {
  readonly items: ReadonlyArray<Item>
  /** DynamoDB said there is nothing after the last item. */
  readonly exhausted: boolean
}

/** Queries page after page (at most `pageSize` items each) until `want` items or the end. */
export const collectQuery = Effect.fnUntraced(function*(
  client: DynamoDBDocumentClient,
  input: QueryCommandInput,
  want: number,
  pageSize: number,
  operation: string
): Effect.fn.Return<Collected, RepositoryError> {
  const read = yield* pages((start, before) =>
    send(operation, (abortSignal) =>
      client.send(
        new QueryCommand({ ...input, ExclusiveStartKey: start, Limit: Math.min(pageSize, want - before) }),
        { abortSignal }
      )), { start: input.ExclusiveStartKey, maxPages }).pipe(
      Stream.takeUntil((page) => page.before + itemsOf(page).length >= want),
      Stream.runCollect
    )
  return { items: read.flatMap(itemsOf), exhausted: read.at(-1)?.last ?? false }
})
