/**
 * 405 for a known path with a method it does not serve (SPEC §7). The router
 * only knows "no route", so each known path gets a route per missing method.
 */
import { Effect, Layer } from "effect"
import { HttpRouter } from "effect/http"
import type { HttpApi, HttpApiGroup } from "effect/http-api"
import { CurrentRequest } from "@media-object-storage/api/CurrentRequest"
import { errorResponse } from "./errorResponse.ts"

export interface KnownPath {
  readonly path: HttpRouter.PathInput
  readonly methods: ReadonlyArray<string>
}

// OPTIONS is answered by CORS; HEAD falls back to GET in the router.
const routableMethods = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const

/** The paths of an HttpApi with the methods each serves. */
export const pathsOf = <Id extends string, Groups extends HttpApiGroup.Constraint>(
  api: HttpApi.HttpApi<Id, Groups>
): ReadonlyArray<KnownPath> => {
  const byPath = new Map<string, Array<string>>()
  for (const group of Object.values(api.groups as unknown as Record<string, HttpApiGroup.Top>)) {
    for (const endpoint of Object.values(group.endpoints)) {
      const methods = byPath.get(endpoint.path) ?? []
      methods.push(endpoint.method)
      byPath.set(endpoint.path, methods)
    }
  }
  return Array.from(byPath, ([path, methods]) => ({ path: path as HttpRouter.PathInput, methods }))
}

/** Registers a 405 (with `Allow`) for every routable method a known path does not serve. */
export const layer = (paths: ReadonlyArray<KnownPath>): Layer.Layer<never, never, HttpRouter.HttpRouter> =>
  HttpRouter.use(Effect.fnUntraced(function*(router) {
    for (const { path, methods } of paths) {
      const allow = (methods.includes("GET") ? [...methods, "HEAD"] : methods).join(", ")
      const handler = Effect.map(CurrentRequest, ({ requestId }) =>
        errorResponse(405, "INVALID_REQUEST", `method not allowed; this path accepts ${allow}`, requestId, { allow }))
      for (const method of routableMethods) {
        if (!methods.includes(method)) yield* router.add(method, path, handler)
      }
    }
  }))
