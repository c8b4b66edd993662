/**
 * The end-to-end scenario, the same for every mode: registers its tests on a
 * server of that mode, started once for all of them, plus the mode's own tests.
 */
import { layer, type Vitest } from "@effect/vitest"
import type { Layer } from "effect"
import type { E2eServer, Mode } from "../../support/servers.ts"
import { edges } from "./edges.ts"
import { errors } from "./errors.ts"
import { lifecycle } from "./lifecycle.ts"
import { replay } from "./replay.ts"
import { search } from "./search.ts"
import { signedUrls } from "./signedUrls.ts"

export const endToEnd = <Extra, E>(
  name: string,
  mode: Mode,
  server: Layer.Layer<E2eServer | Extra, E>,
  modeTests: (it: Vitest.MethodsNonLive<E2eServer | Extra>) => void = () => {}
) =>
  // Live clock: the server signs and expires by real time, and polling waits for real.
  layer(server, { timeout: 180_000, excludeTestServices: true })(name, (it) => {
    lifecycle(it)
    replay(it)
    edges(it)
    signedUrls(it, mode)
    search(it)
    errors(it)
    modeTests(it)
  })
