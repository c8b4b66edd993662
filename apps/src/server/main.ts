/**
 * `npm start`: the service in the mode MEDIA_MODE selects (embedded by default).
 * V8's compiled code of every module is kept between starts (about a tenth of the
 * start's module loading), in the install's own `node_modules/.cache`, not a shared
 * temp dir; where that is read-only, Node goes on without it.
 */
import * as nodeModule from "node:module"

// Absent outside Node (the clients' Deno test runs this file too).
nodeModule.enableCompileCache?.(new URL("../../../node_modules/.cache/node-compile-cache", import.meta.url).pathname)
await import("./run.ts")
