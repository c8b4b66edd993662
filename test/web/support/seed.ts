/**
 * Files made straight through the API (as another client would), for web
 * tests that need records the UI did not create.
 */
import { auth } from "../../support/servers.ts"

export interface Ticket {
  readonly file_id: string
  readonly upload_url: string
  readonly fields: Record<string, string>
}

/** `POST /v1/media/upload-url`: the record exists from here on, `uploading`. */
export const requestUpload = async (apiUrl: string, entityId: string, contentType = "image/jpeg"): Promise<Ticket> => {
  const response = await fetch(`${apiUrl}/v1/media/upload-url`, {
    method: "POST",
    headers: { authorization: auth.writerA, "content-type": "application/json" },
    body: JSON.stringify({ content_type: contentType, entity_type: "shipment_item", entity_id: entityId })
  })
  if (response.status !== 200) throw new Error(`upload-url answered ${response.status}: ${await response.text()}`)
  return (await response.json()) as Ticket
}

/** The pre-signed form POST; storage answers 204. */
export const postUpload = async (ticket: Ticket, bytes: Uint8Array, contentType = "image/jpeg"): Promise<void> => {
  const form = new FormData()
  for (const [name, value] of Object.entries(ticket.fields)) form.append(name, value)
  form.append("file", new Blob([new Uint8Array(bytes)], { type: contentType }), "photo")
  const response = await fetch(ticket.upload_url, { method: "POST", body: form })
  if (response.status !== 204) throw new Error(`storage answered ${response.status}: ${await response.text()}`)
}

/** `GET /v1/media/{id}`: the status code and the record (when 200). */
export const getFile = async (apiUrl: string, fileId: string): Promise<{ status: number; json: any }> => {
  const response = await fetch(`${apiUrl}/v1/media/${fileId}`, { headers: { authorization: auth.writerA } })
  return { status: response.status, json: response.status === 200 ? await response.json() : undefined }
}

/** Waits (bounded) until the file is ready or failed. */
export const settled = async (apiUrl: string, fileId: string, seconds = 45): Promise<any> => {
  const deadline = performance.now() + seconds * 1000
  while (performance.now() < deadline) {
    const { json } = await getFile(apiUrl, fileId)
    if (json?.status === "ready" || json?.status === "failed") return json
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`file ${fileId} did not settle within ${seconds} s`)
}
