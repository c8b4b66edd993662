/**
 * The API's security (SPEC §5): Basic and Bearer credentials, a principal for
 * the handlers, and the permission each endpoint needs (an endpoint annotation).
 */
import { Context } from "effect"
import { HttpApiMiddleware, HttpApiSecurity } from "effect/http-api"
import type { Permission, Principal } from "@media-object-storage/core/ports/Authenticator"
import { ForbiddenError, UnauthorizedError } from "./ApiErrors.ts"

/** The authenticated caller; handlers take the account from here and nowhere else. */
export class CurrentPrincipal extends Context.Service<CurrentPrincipal, Principal>()("apps/http/CurrentPrincipal") {}

/** Endpoint annotation: the permission a caller needs. An authenticated endpoint without one is denied to all. */
export class RequiredPermission extends Context.Service<RequiredPermission, Permission>()(
  "apps/http/RequiredPermission"
) {}

/**
 * Middleware of the `/v1/media` endpoints: Basic or Bearer credentials (SPEC §5) to a `CurrentPrincipal`.
 * Fails `UnauthorizedError` (401) or `ForbiddenError` (403, the endpoint's `RequiredPermission` not held).
 */
export class Authentication extends HttpApiMiddleware.Service<Authentication, {
  provides: CurrentPrincipal
}>()("apps/http/Authentication", {
  security: {
    basic: HttpApiSecurity.basic,
    bearer: HttpApiSecurity.bearer
  },
  error: [UnauthorizedError, ForbiddenError]
}) {}
