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

// dynalite's store module: the same CommonJS instance its index.js requires, so
// that DynaliteServer can keep hold of the store it creates (see there why).
declare module "dynalite/db/index.js" {
  interface DynaliteStore {
    readonly lifecycleManager: {
      gracefulClose(callback: (error: unknown) => void): void
      /** "open", then "closing" and "closed" once the store is being closed for good. */
      getState(): "open" | "closing" | "closed"
    }
    /** The LevelDB (abstract-level); `open({ passive: true })` waits for the opening dynalite started. */
    readonly db: { open(options?: { readonly passive?: boolean }): Promise<void> }
  }
  const db: { create: (options: unknown) => DynaliteStore }
  export type { DynaliteStore }
  export default db
}
