/**
 * The embedded FileRepository: DynamoFileRepository over dynalite in this process. Kept apart from
 * DynamoFileRepository so the aws code path (and its Lambda bundles) never loads dynalite or LevelDB.
 */
import { Layer } from "effect"
import { type DynaliteOptions, layerDynalite as dynaliteTable } from "./DynaliteServer.ts"
import { layerNoDeps } from "./DynamoFileRepository.ts"

/** embedded mode: dynalite in this process (LevelDB at `path`), table created on first start. */
export const layerDynalite = (options: DynaliteOptions = {}) =>
  layerNoDeps.pipe(Layer.provideMerge(dynaliteTable(options)))
