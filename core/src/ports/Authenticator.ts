/**
 * Port: maps an Authorization header to an account and its permissions (SPEC §5).
 */
import { Context, type Effect, Schema } from "effect"
import type { AccountId } from "../Ids.ts"

/** The permissions a credential may carry (SPEC §5). */
export const permissions = ["media:read", "media:write"] as const
/** Schema of one of `permissions`. */
export const Permission = Schema.Literals(permissions)
/** One of `permissions`. */
export type Permission = typeof Permission.Type

/** Who is calling: exactly one account and its permissions (SPEC §5). */
export interface Principal {
  readonly accountId: AccountId
  readonly permissions: ReadonlySet<Permission>
}

/** No usable credentials: missing, malformed, unknown or wrong. Never says which secret was wrong. */
export class Unauthenticated extends Schema.TaggedError<Unauthenticated>()("Unauthenticated", {
  message: Schema.String
}) {}

/**
 * Port: an `Authorization` header (undefined when absent) to a `Principal` (SPEC §5). Fails
 * `Unauthenticated` for missing, malformed, unknown or wrong credentials (401). Implementations compare
 * secrets in constant time and never log them.
 */
export class Authenticator extends Context.Service<Authenticator, {
  authenticate(authorization: string | undefined): Effect.Effect<Principal, Unauthenticated>
}>()("core/Authenticator") {}

/** Whether the principal holds `permission` (SPEC §5: 403 when it does not). */
export const hasPermission = (principal: Principal, permission: Permission): boolean =>
  principal.permissions.has(permission)

