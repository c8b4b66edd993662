/**
 * Entity types a file can be linked to, each with the parts of its composite key.
 * Adding a type is a change to this file only: add its name and its key parts.
 */
import { Schema } from "effect"

export const entityTypeNames = ["shipment_item"] as const

export const EntityType = Schema.Literals(entityTypeNames)
export type EntityType = typeof EntityType.Type

export interface EntityKeyShape {
  /** Names of the key parts, most significant first; search prefixes are leading parts. */
  readonly parts: ReadonlyArray<string>
}

export const entityKeyShapes: { readonly [T in EntityType]: EntityKeyShape } = {
  shipment_item: { parts: ["shipment_id", "sku", "reason_code", "discrepancy_id"] }
}

export const isEntityType = Schema.is(EntityType)
