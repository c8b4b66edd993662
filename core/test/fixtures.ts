/**
 * Builders shared by the core tests: accounts, records in any status, and
 * image bytes the memory processor recognises.
 */
import type { EntityKey } from "../src/EntityKey.ts"
import type { FileRecord } from "../src/FileRecord.ts"
import type { AccountId, FileId } from "../src/Ids.ts"

/** A fresh account per test, so suites can share one table. */
export const freshAccount = (): AccountId => `acc-${globalThis.crypto.randomUUID().slice(0, 18)}` as AccountId

export const freshFileId = (): FileId => globalThis.crypto.randomUUID() as FileId

export const key = (raw: string): EntityKey => raw as EntityKey

/** An `uploading` record as RequestUpload creates it at `now`, with the given overrides. */
export const uploadingRecord = (overrides: Partial<FileRecord> = {}): FileRecord => ({
  fileId: freshFileId(),
  accountId: "10020" as AccountId,
  entityType: "shipment_item",
  entityId: key("S1|SKU-001|DAMAGED|D1"),
  contentType: "image/png",
  status: "uploading",
  fileSize: 0,
  createdAt: 1_000,
  updatedAt: 1_000,
  version: 0,
  attempts: 0,
  uploadExpiresAt: 1_900,
  dueAt: 2_800,
  ...overrides
})

/** A PNG header declaring `width` x `height`: enough for the memory processor. */
export const png = (width: number, height: number, length = 32): Uint8Array => {
  const bytes = new Uint8Array(Math.max(length, 24))
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  const view = new DataView(bytes.buffer)
  view.setUint32(16, width)
  view.setUint32(20, height)
  return bytes
}

export const pdf = (): Uint8Array => new TextEncoder().encode("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")
