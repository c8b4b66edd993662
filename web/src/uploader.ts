/**
 * The uploader for one discrepancy: Uppy's Dashboard (drag and drop, file
 * picker, the phone's camera, per-file progress, retry) uploading each photo
 * with the pre-signed POST that `POST /v1/media/upload-url` returns.
 * HEIC/HEIF photos are refused before anything is sent, with the SPEC's advice.
 */
import AwsS3, { type AwsBody } from "@uppy/aws-s3"
import Uppy, { type UppyFile } from "@uppy/core"
import Dashboard from "@uppy/dashboard"
import "@uppy/core/css/style.min.css"
import "@uppy/dashboard/css/style.min.css"
import { type Api, ApiError, type UploadTicket } from "./api.ts"
import { el, uniqueId } from "./dom.ts"
import { partNames, partProblem } from "./entityKey.ts"

type Meta = { entityId?: string; fileId?: string }
type File = UppyFile<Meta, AwsBody>

export interface Uploader {
  readonly element: HTMLElement
  /** Fills the discrepancy fields from a key (any parts it has). */
  readonly setKey: (key: string) => void
  readonly dispose: () => void
}

export interface UploaderOptions {
  /** A file reached storage (it is processed next). */
  readonly onUploaded: (fileId: string, entityId: string) => void
  /** The user wants to see the uploaded key in the gallery. */
  readonly onShow: (entityId: string) => void
}

export const acceptedTypes = ["image/jpeg", "image/png", "image/webp", "image/gif"]
const acceptedExtensions = [".jpg", ".jpeg", ".png", ".webp", ".gif"]

/** The service's own advice (SPEC §3), shown before any request is made. */
export const heicAdvice = "convert HEIC/HEIF photos to JPEG on the device before uploading"

const isHeic = (file: File): boolean =>
  /^image\/hei[cf](-sequence)?$/i.test(file.type ?? "") || /\.(heic|heif|hif)$/i.test(file.name ?? "")

/** A ticket is reused for a retry while it has this much life left, so a retry does not leave a stray record. */
const ticketMarginSeconds = 60

export const makeUploader = (api: Api, options: UploaderOptions): Uploader => {
  const titleId = uniqueId("upload-title")
  const fields = partNames.map((name, index) => {
    const id = uniqueId("key-part")
    const input = el("input", {
      id,
      type: "text",
      name: ["shipment", "sku", "reason", "discrepancy"][index] ?? name,
      required: true,
      maxlength: "128",
      autocomplete: "off",
      spellcheck: "false",
      autocapitalize: "characters"
    })
    const label = name.charAt(0).toUpperCase() + name.slice(1)
    return { name, input, wrapper: el("div", { class: "field" }, el("label", { for: id }, label), input) }
  })
  const keyError = el("p", { class: "error", role: "alert" })
  const dashboardTarget = el("div", { class: "dashboard" })
  const showButton = el("button", { type: "button", class: "button" }, "Show them in the gallery")
  const doneText = el("span", {})
  const done = el("p", { class: "done", hidden: true, role: "status" }, doneText, " ", showButton)
  const element = el(
    "section",
    { class: "uploader", "aria-labelledby": titleId },
    el("h2", { id: titleId }, "Upload photos"),
    el(
      "fieldset",
      { class: "key" },
      el("legend", {}, "Discrepancy"),
      ...fields.map((field) => field.wrapper)
    ),
    keyError,
    dashboardTarget,
    done
  )

  const currentKey = (): { key: string } | { problem: string; input: HTMLInputElement } => {
    for (const field of fields) {
      const problem = partProblem(field.input.value.trim(), field.name)
      if (problem !== undefined) return { problem, input: field.input }
    }
    return { key: fields.map((field) => field.input.value.trim()).join("|") }
  }

  const uppy = new Uppy<Meta, AwsBody>({
    autoProceed: false,
    restrictions: { allowedFileTypes: [...acceptedTypes, ...acceptedExtensions] },
    onBeforeFileAdded: (file) => {
      if (!isHeic(file)) return true
      const message = `${file.name ?? "This photo"} is a HEIC/HEIF photo, which the service does not accept: ${heicAdvice}.`
      // One message, in the form's alert region (an Uppy toast as well would cover the accepted-types hint).
      keyError.textContent = message
      return false
    },
    onBeforeUpload: (files) => {
      const key = currentKey()
      if ("problem" in key) {
        keyError.textContent = `Enter the discrepancy first: ${key.problem}`
        key.input.setAttribute("aria-invalid", "true")
        key.input.focus()
        return false
      }
      keyError.textContent = ""
      for (const field of fields) field.input.removeAttribute("aria-invalid")
      // The key is fixed per file when its upload starts; a retry keeps it.
      return Object.fromEntries(Object.entries(files).map(([id, file]) =>
        [id, file.meta.entityId === undefined ? { ...file, meta: { ...file.meta, entityId: key.key } } : file]
      ))
    }
  })

  const tickets = new Map<string, UploadTicket>()
  const succeeded = new Set<string>()

  uppy.use(Dashboard<Meta, AwsBody>, {
    target: dashboardTarget,
    inline: true,
    width: "100%",
    height: 380,
    theme: "light",
    showNativePhotoCameraButton: true,
    nativeCameraFacingMode: "environment",
    proudlyDisplayPoweredByUppy: false,
    showRemoveButtonAfterComplete: false,
    note: "JPEG, PNG, WebP or GIF. iPhone HEIC photos: set the camera to “Most Compatible” or share them as JPEG."
  })
  uppy.use(AwsS3<Meta, AwsBody>, {
    shouldUseMultipart: false,
    allowedMetaFields: false,
    limit: 3,
    // The uploader looks its file up by this key; the object key itself comes from the API's form fields.
    generateObjectKey: (file) => file.id,
    signRequest: async (request) => {
      if (request.method !== "PUT" || "uploadId" in request) throw new Error("only single POST uploads are used")
      const file = uppy.getFile(request.key)
      if (file === undefined) throw new Error("the file was removed")
      const entityId = file.meta.entityId
      if (entityId === undefined) throw new Error("no discrepancy key for this file")
      const cached = tickets.get(file.id)
      let ticket = cached
      if (cached === undefined || cached.expires_at - Date.now() / 1000 < ticketMarginSeconds) {
        try {
          ticket = await api.requestUpload({ contentType: file.type, entityId, fileSize: file.size ?? 0 })
        } catch (cause) {
          throw new Error(cause instanceof ApiError ? cause.message : "the upload could not be prepared")
        }
        tickets.set(file.id, ticket)
        uppy.setFileMeta(file.id, { fileId: ticket.file_id })
      }
      if (ticket === undefined) throw new Error("no upload target")
      return { url: ticket.upload_url, fields: { ...ticket.fields } }
    }
  })

  uppy.on("upload-success", (file) => {
    if (file === undefined) return
    const ticket = tickets.get(file.id)
    if (ticket === undefined || file.meta.entityId === undefined) return
    succeeded.add(file.id)
    options.onUploaded(ticket.file_id, file.meta.entityId)
  })
  uppy.on("complete", (result) => {
    const count = result.successful?.length ?? 0
    const key = result.successful?.[0]?.meta.entityId
    if (count === 0 || key === undefined) return
    doneText.textContent = `${count} photo${count === 1 ? "" : "s"} uploaded to ${key}; ${count === 1 ? "it is" : "they are"} processed next.`
    showButton.onclick = () => options.onShow(key)
    done.hidden = false
  })
  uppy.on("files-added", () => {
    done.hidden = true
  })
  // A file removed before its upload finished leaves a record `uploading`: delete it rather than let it expire.
  uppy.on("file-removed", (file) => {
    const ticket = tickets.get(file.id)
    tickets.delete(file.id)
    if (ticket !== undefined && !succeeded.has(file.id)) api.remove(ticket.file_id).catch(() => undefined)
    succeeded.delete(file.id)
  })

  fields.forEach((field, index) => {
    field.input.addEventListener("input", () => {
      field.input.removeAttribute("aria-invalid")
      // Typing "|" moves on to the next part, as pasting a whole key does.
      const parts = field.input.value.split("|")
      if (parts.length === 1) return
      parts.forEach((part, offset) => {
        const target = fields[index + offset]
        if (target !== undefined) target.input.value = part.trim()
      })
      fields[Math.min(index + parts.length - 1, fields.length - 1)]?.input.focus()
    })
    // Pasting a whole key into any field fills all four.
    field.input.addEventListener("paste", (event) => {
      const text = event.clipboardData?.getData("text") ?? ""
      if (!text.includes("|")) return
      event.preventDefault()
      setKey(text)
    })
  })

  const setKey = (key: string) => {
    const parts = key.trim().split("|")
    fields.forEach((field, index) => {
      if (parts[index] !== undefined) field.input.value = parts[index].trim()
    })
  }

  return {
    element,
    setKey,
    dispose: () => uppy.destroy()
  }
}
