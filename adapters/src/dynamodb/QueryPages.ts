/**
 * Fills a result from a DynamoDB Query page after page: a page can come back
 * short (1 MB cap, or a small page size), so one request is never assumed to
 * be the whole answer.
 */
import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb"
import { Effect } from "effect"
import { send } from "./DynamoCall.ts"

/** Stops a runaway scan; a search that hits it reports `more` and resumes from its cursor. */
const maxPages = 1000

export interface Collected {
  readonly items: ReadonlyArray<Record<string, unknown>>
  /** DynamoDB said there is nothing after the last item. */
  readonly exhausted: boolean
}

export const collectQuery = Effect.fnUntraced(function*(
  client: DynamoDBDocumentClient,
  input: QueryCommandInput,
  want: number,
  pageSize: number,
  operation: string
) {
  const items: Array<Record<string, unknown>> = []
  let start = input.ExclusiveStartKey
  for (let page = 0; page < maxPages && items.length < want; page++) {
    const limit = Math.min(pageSize, want - items.length)
    const out = yield* send(operation, (abortSignal) =>
      client.send(new QueryCommand({ ...input, ExclusiveStartKey: start, Limit: limit }), { abortSignal }))
    items.push(...(out.Items ?? []))
    start = out.LastEvaluatedKey
    if (start === undefined) return { items, exhausted: true } satisfies Collected
  }
  return { items, exhausted: false } satisfies Collected
})
