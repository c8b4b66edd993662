/**
 * POSTs a signed form whose file part is generated lazily, chunk by chunk, so a
 * test can see how much of an oversized upload the server read before refusing it.
 */
import type { UploadTarget } from "@media-object-storage/core/ports/ObjectStore"
import { Effect } from "effect"

export interface StreamingResult {
  readonly status: number
  readonly body: string
  /** File bytes the client had produced when the response arrived. */
  readonly producedBeforeResponse: number
}

export const postStreaming = (target: UploadTarget, fileBytes: number, chunkBytes = 64 * 1024) =>
  Effect.promise(async (): Promise<StreamingResult> => {
    const boundary = "----streaming-test-boundary"
    const encoder = new TextEncoder()
    const head = Object.entries(target.fields)
      .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
      .join("") +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n`
    let produced = 0
    let sentHead = false
    const chunk = new Uint8Array(chunkBytes).fill(7)
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (!sentHead) {
          sentHead = true
          controller.enqueue(encoder.encode(head))
        } else if (produced < fileBytes) {
          produced += chunk.length
          controller.enqueue(chunk)
        } else {
          controller.enqueue(encoder.encode(`\r\n--${boundary}--\r\n`))
          controller.close()
        }
      }
    })
    const response = await fetch(target.url, {
      method: "POST",
      body,
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
      duplex: "half"
    } as RequestInit)
    const producedBeforeResponse = produced
    const text = await response.text()
    await body.cancel().catch(() => undefined)
    return { status: response.status, body: text, producedBeforeResponse }
  })
