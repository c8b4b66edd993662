/**
 * Routes that see a request on Node's server before Effect's HTTP stack does
 * (issue 13: the hot read path). A front route takes a request by answering
 * it and returning true; it returns false, having touched nothing, for every
 * request it does not serve exactly as the HttpApi route would, which then
 * gets it as usual.
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import { Context } from "effect"

/** Answers `request` and returns true, or returns false and leaves both objects untouched. */
export type FrontRoute = (request: IncomingMessage, response: ServerResponse) => boolean

export interface FrontRoutesShape {
  /** Adds a route, tried after those added before it; returns what removes it again. */
  readonly add: (route: FrontRoute) => () => void
  /** Offers a request to each route in turn; false when none took it. */
  readonly handle: FrontRoute
  /** How many requests a front route has taken so far (the rest went to Effect's stack). */
  readonly taken: () => number
}

/** An empty set of front routes, for one server. */
export const makeFrontRoutes = (): FrontRoutesShape => {
  const routes: Array<FrontRoute> = []
  let taken = 0
  return {
    add: (route) => {
      routes.push(route)
      return () => {
        const at = routes.indexOf(route)
        if (at !== -1) routes.splice(at, 1)
      }
    },
    handle: (request, response) => {
      for (const route of routes) {
        if (route(request, response)) {
          taken++
          return true
        }
      }
      return false
    },
    taken: () => taken
  }
}

/**
 * The front routes of the Node server `serve` (HttpApp.ts) builds. Undefined
 * where requests do not come from Node's server (the Lambda's web handler,
 * `HttpApiTest`): there HttpApi serves every route.
 */
export const FrontRoutes = Context.Reference<FrontRoutesShape | undefined>("apps/http/FrontRoutes", {
  defaultValue: () => undefined
})
