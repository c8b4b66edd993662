/**
 * Port: maps an Authorization header to an account and its permissions (SPEC §5).
 */
import { Context, type Effect, Schema } from "effect"
import type { AccountId } from "../Ids.ts"

export const permissions = ["media:read", "media:write"] as const
export const Permission = Schema.Literals(permissions)
export type Permission = typeof Permission.Type

export interface Principal {
  readonly accountId: AccountId
  readonly permissions: ReadonlySet<Permission>
}

/** No usable credentials: missing, malformed, unknown or wrong. Never says which secret was wrong. */
export class Unauthenticated extends Schema.TaggedError<Unauthenticated>()("Unauthenticated", {
  message: Schema.String
}) {}

export class Authenticator extends Context.Service<Authenticator, {
  authenticate(authorization: string | undefined): Effect.Effect<Principal, Unauthenticated>
}>()("core/Authenticator") {}

export const hasPermission = (principal: Principal, permission: Permission): boolean =>
  principal.permissions.has(permission)

