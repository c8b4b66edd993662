/**
 * Test helpers for pre-signed POSTs: send the form as a browser would (every
 * field, then the file last) and read the policy a target carries.
 */
import type { UploadTarget } from "@media-object-storage/core/ports/ObjectStore"
import { Effect } from "effect"

export interface PostResult {
  readonly status: number
  readonly body: string
  readonly headers: Headers
}

export interface FormOptions {
  /** Replace or add fields (after the signed ones, before the file). */
  readonly fields?: Readonly<Record<string, string>>
  /** Drop these signed fields. */
  readonly omit?: ReadonlyArray<string>
  /** Fields sent after the file (S3 ignores them). */
  readonly after?: Readonly<Record<string, string>>
  /** Leave the file out entirely. */
  readonly noFile?: boolean
  readonly url?: string
  readonly headers?: Readonly<Record<string, string>>
}

export const buildForm = (target: UploadTarget, bytes: Uint8Array, fileType: string, options: FormOptions = {}) => {
  const form = new FormData()
  const fields = { ...target.fields, ...options.fields }
  for (const [name, value] of Object.entries(fields)) {
    if (!options.omit?.includes(name)) form.append(name, value)
  }
  if (options.noFile !== true) form.append("file", new Blob([new Uint8Array(bytes)], { type: fileType }), "photo.png")
  for (const [name, value] of Object.entries(options.after ?? {})) form.append(name, value)
  return form
}

export const postForm = (target: UploadTarget, bytes: Uint8Array, fileType: string, options: FormOptions = {}) =>
  Effect.promise(async (): Promise<PostResult> => {
    const response = await fetch(options.url ?? target.url, {
      method: "POST",
      body: buildForm(target, bytes, fileType, options),
      headers: options.headers ?? {}
    })
    return { status: response.status, body: await response.text(), headers: response.headers }
  })

export interface DecodedPolicy {
  readonly expiration: string
  readonly conditions: ReadonlyArray<unknown>
}

export const decodePolicy = (policy: string): DecodedPolicy =>
  JSON.parse(Buffer.from(policy, "base64").toString("utf8")) as DecodedPolicy
