/**
 * Entity types a file can be linked to, each with the parts of its composite key.
 * Adding a type is a change to this file only: add its name and its key parts.
 */
import { Schema } from "effect"

/** The entity types files can be linked to (SPEC §2 `entity_type`): `shipment_item` today. */
export const entityTypeNames = ["shipment_item"] as const

/** Schema of one of `entityTypeNames`. */
export const EntityType = Schema.Literals(entityTypeNames)
/** One of `entityTypeNames`. */
export type EntityType = typeof EntityType.Type

/** The shape of one entity type's composite key. */
export interface EntityKeyShape {
  /** Names of the key parts, most significant first; search prefixes are leading parts. */
  readonly parts: ReadonlyArray<string>
}

/** Each entity type's key parts; `shipment_item` is `shipment_id|sku|reason_code|discrepancy_id` (SPEC §4). */
export const entityKeyShapes: { readonly [T in EntityType]: EntityKeyShape } = {
  shipment_item: { parts: ["shipment_id", "sku", "reason_code", "discrepancy_id"] }
}

/** Whether a value is one of `entityTypeNames` (a type guard). */
export const isEntityType = Schema.is(EntityType)
