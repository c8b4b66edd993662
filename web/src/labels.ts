/** Words for the API's status and failure codes (SPEC §2, §6). */
export type FileStatus = "uploading" | "uploaded" | "processing" | "ready" | "failed"

export const statusLabel: Readonly<Record<FileStatus, string>> = {
  uploading: "Uploading",
  uploaded: "Uploaded",
  processing: "Processing",
  ready: "Ready",
  failed: "Failed"
}

export const isFinal = (status: string): boolean => status === "ready" || status === "failed"

const failureWords: Readonly<Record<string, string>> = {
  unsupported_format: "Not a JPEG, PNG, WebP or GIF image (HEIC/HEIF must be converted to JPEG on the device).",
  corrupt_image: "The image data is damaged and could not be read.",
  too_many_pixels: "The image has more pixels than the service accepts.",
  too_large: "The file is larger than the upload limit.",
  size_mismatch: "The uploaded file's size differs from the size announced before the upload.",
  upload_expired: "The upload never arrived before its link expired.",
  processing_error: "Processing failed three times; upload the photo again."
}

export const failureText = (reason: string | undefined): string =>
  reason === undefined ? "Processing failed." : failureWords[reason] ?? `Processing failed (${reason}).`

export const formatBytes = (bytes: number): string =>
  bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(0)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`

export const formatTime = (unixSeconds: number): string =>
  new Date(unixSeconds * 1000).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })
