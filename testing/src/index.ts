/**
 * `@media-object-storage/testing`: the laws of `@media-object-storage/core` for property tests in
 * services that embed it. `Arbitraries` are fast-check arbitraries (entity keys and prefixes, cursor
 * bindings, file events and event sequences); `Laws` are fast-check properties to `fc.assert`.
 * Needs `fast-check` (a peer dependency, 4.x). Also at `@media-object-storage/testing/arbitraries`
 * and `@media-object-storage/testing/laws`.
 */
export * as Arbitraries from "./arbitraries.ts"
export * as Laws from "./laws.ts"
