// dynalite ships no types; this is the part of its API the adapters use.
declare module "dynalite" {
  interface DynaliteOptions {
    /** LevelDB directory; in memory when absent. */
    readonly path?: string
    readonly createTableMs?: number
    readonly deleteTableMs?: number
    readonly updateTableMs?: number
  }
  const dynalite: (options?: DynaliteOptions) => import("node:http").Server
  export default dynalite
}
