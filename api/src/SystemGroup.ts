/**
 * Operational endpoints (unauthenticated): liveness and readiness.
 * `/openapi.json` and `/docs` are served from this API's definition elsewhere.
 */
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { NotReadyError } from "./ApiErrors.ts"

/** `{ "status": "ok" }`. */
export const HealthStatus = Schema.Struct({ status: Schema.Literal("ok") }).annotate({ identifier: "HealthStatus" })

/**
 * `/healthz` (the process is alive) and `/readyz` (dependencies reachable, else 503 `NotReadyError`),
 * without credentials.
 */
export class SystemGroup extends HttpApiGroup.make("system")
  .add(
    HttpApiEndpoint.get("healthz", "/healthz", { success: HealthStatus })
      .annotate(OpenApi.Summary, "The process is alive"),
    HttpApiEndpoint.get("readyz", "/readyz", { success: HealthStatus, error: NotReadyError })
      .annotate(OpenApi.Summary, "Dependencies are reachable")
  )
  .annotateMerge(OpenApi.annotations({ title: "System", description: "Liveness and readiness probes, without credentials" }))
{}
