/**
 * Entity keys checked before any request, with the core's own rules (SPEC §4),
 * so a typo is a usage error (exit 2) and not a half-run batch.
 */
import { Effect, Result } from "effect"
import { parseKey, parsePrefix } from "@media-object-storage/core/EntityKey"
import { type EntityType, isEntityType } from "@media-object-storage/core/EntityType"
import { CliFailure } from "./CliFailure.ts"

export const entityTypeOf = (raw: string) =>
  isEntityType(raw) ? Effect.succeed<EntityType>(raw) : Effect.fail(CliFailure.usage(`unknown entity type '${raw}' (known: shipment_item)`))

/** A full key (`shipment_id|sku|reason_code|discrepancy_id`) for uploads. */
export const fullKey = (entityType: EntityType, raw: string) =>
  Result.match(parseKey(entityType, raw), {
    onSuccess: (key) => Effect.succeed<string>(key),
    onFailure: (error) => Effect.fail(CliFailure.usage(`bad entity key '${raw}': ${error.message}`))
  })

/** 1 to 4 parts (a shipment, a SKU in it, a discrepancy) for search and download. */
export const keyPrefix = (entityType: EntityType, raw: string) =>
  Result.match(parsePrefix(entityType, raw), {
    onSuccess: () => Effect.succeed(raw),
    onFailure: (error) => Effect.fail(CliFailure.usage(`bad entity key '${raw}': ${error.message}`))
  })
