/**
 * A client of the public API for the load test and the benchmarks: the full
 * upload flow (upload-url, S3-style multipart POST, poll until final) and
 * search paging. Every loop is bounded; every response status is tallied so
 * callers can check that none was a 5xx.
 */
export interface Tally {
  readonly byStatus: Map<number, number>
}

export const makeTally = (): Tally => ({ byStatus: new Map() })

export const serverErrors = (tally: Tally): number =>
  [...tally.byStatus].reduce((sum, [status, count]) => (status >= 500 ? sum + count : sum), 0)

export interface Client {
  readonly base: string
  readonly token: string
  readonly tally: Tally
}

const send = async (client: Client, url: string, init: RequestInit = {}) => {
  const response = await fetch(url, { ...init, headers: { authorization: `Bearer ${client.token}`, ...init.headers } })
  const text = await response.text()
  client.tally.byStatus.set(response.status, (client.tally.byStatus.get(response.status) ?? 0) + 1)
  return { status: response.status, text }
}

const expectStatus = (what: string, reply: { status: number; text: string }, status: number) => {
  if (reply.status !== status) throw new Error(`${what}: expected ${status}, got ${reply.status}: ${reply.text.slice(0, 300)}`)
}

export interface FileJson {
  readonly file_id: string
  readonly status: string
  readonly entity_id: string
  readonly failure_reason?: string
}

/** upload-url, then the multipart POST to the returned target; returns the file id. */
export const upload = async (client: Client, entityId: string, bytes: Uint8Array): Promise<string> => {
  const ticketReply = await send(client, `${client.base}/v1/media/upload-url`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ content_type: "image/jpeg", entity_type: "shipment_item", entity_id: entityId, file_size: bytes.length })
  })
  expectStatus("upload-url", ticketReply, 200)
  const ticket = JSON.parse(ticketReply.text) as { file_id: string; upload_url: string; fields: Record<string, string> }
  const form = new FormData()
  for (const [name, value] of Object.entries(ticket.fields)) form.append(name, value)
  form.append("file", new Blob([new Uint8Array(bytes)], { type: "image/jpeg" }), "photo.jpg")
  // The storage endpoint authenticates by the signed policy, not by our bearer token.
  const response = await fetch(ticket.upload_url, { method: "POST", body: form })
  const text = await response.text()
  client.tally.byStatus.set(response.status, (client.tally.byStatus.get(response.status) ?? 0) + 1)
  expectStatus("storage POST", { status: response.status, text }, 204)
  return ticket.file_id
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls the file until `ready` or `failed`, at most until `deadline` (epoch ms). */
export const waitFinal = async (client: Client, fileId: string, deadline: number, intervalMs = 50): Promise<FileJson> => {
  while (performance.timeOrigin + performance.now() < deadline) {
    const reply = await send(client, `${client.base}/v1/media/${fileId}`)
    expectStatus("get file", reply, 200)
    const file = JSON.parse(reply.text) as FileJson
    if (file.status === "ready" || file.status === "failed") return file
    await sleep(intervalMs)
  }
  throw new Error(`file ${fileId} not final before the deadline`)
}

/** Every file matching the search, page by page, at most `maxPages` pages of 100. */
export const searchAll = async (client: Client, entityId: string, maxPages = 100): Promise<ReadonlyArray<FileJson>> => {
  const files: Array<FileJson> = []
  let cursor: string | undefined
  for (let page = 0; page < maxPages; page++) {
    const query = new URLSearchParams({ entity_type: "shipment_item", entity_id: entityId, limit: "100" })
    if (cursor !== undefined) query.set("cursor", cursor)
    const reply = await send(client, `${client.base}/v1/media/search?${query}`)
    expectStatus("search", reply, 200)
    const body = JSON.parse(reply.text) as { files: ReadonlyArray<FileJson>; cursor?: string }
    files.push(...body.files)
    if (body.cursor === undefined) return files
    cursor = body.cursor
  }
  throw new Error(`search did not end within ${maxPages} pages`)
}

/** Runs `task` over `items` with at most `concurrency` at once, in order of start. */
export const mapLimit = async <A, B>(items: ReadonlyArray<A>, concurrency: number, task: (item: A, index: number) => Promise<B>) => {
  const results: Array<B> = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await task(items[index]!, index)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
  return results
}
