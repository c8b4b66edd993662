/**
 * The Authentication middleware on the core Authenticator port: 401 without
 * valid credentials, 403 without the endpoint's permission, otherwise the
 * principal for the handlers.
 */
import { Context, Effect, Layer, Option } from "effect"
import { HttpServerRequest } from "effect/http"
import type { HttpApiEndpoint } from "effect/http-api"
import { ClientAddress } from "@media-object-storage/adapters/auth/ClientAddress"
import { Authenticator, hasPermission, type Permission } from "@media-object-storage/core/ports/Authenticator"
import { apiError, ForbiddenError, UnauthorizedError } from "@media-object-storage/api/ApiErrors"
import { Authentication, CurrentPrincipal, RequiredPermission } from "@media-object-storage/api/Authentication"
import { CurrentRequest } from "@media-object-storage/api/CurrentRequest"

/** The 403 message for credentials without `permission` (none: the endpoint declares no permission). */
export const forbiddenMessage = (permission: Option.Option<Permission>): string =>
  `these credentials lack the ${Option.getOrElse(permission, () => "an undeclared")} permission`

export const AuthenticationLive = Layer.effect(
  Authentication,
  Effect.gen(function*() {
    const authenticator = yield* Authenticator

    const authenticate = <A, E, R>(
      httpEffect: Effect.Effect<A, E, R>,
      options: { readonly endpoint: HttpApiEndpoint.Top }
    ) =>
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        const current = yield* CurrentRequest
        // The port gets the raw header: it knows every scheme (Basic, Bearer, JWT).
        // Its messages never say which part was wrong; one says the credentials
        // were not checked at all (too many slow checks queued: retry), which a
        // client should not mistake for a wrong password.
        // The client's address lets the credentials-file Authenticator keep one
        // flooding client from crowding out others' slow checks (other authenticators ignore it).
        const principal = yield* authenticator.authenticate(request.headers.authorization).pipe(
          Effect.provideService(ClientAddress, Option.getOrElse(request.remoteAddress, () => "")),
          Effect.mapError((e) => apiError(UnauthorizedError, e.message))
        )
        current.accountId = principal.accountId
        const permission = Context.getOption(options.endpoint.annotations, RequiredPermission)
        if (Option.isNone(permission) || !hasPermission(principal, permission.value)) {
          return yield* apiError(ForbiddenError, forbiddenMessage(permission))
        }
        return yield* Effect.provideService(httpEffect, CurrentPrincipal, principal)
      })

    // HttpApi tries the schemes in order and answers with the LAST failure,
    // so only the last one does the work (for both schemes): a 403 found by
    // an earlier one would be replaced by the later one's 401. `basic` is
    // declared for the OpenAPI document; its failure is never shown, and is
    // made once because building an error captures a stack trace.
    const deferToBearer = Effect.fail(apiError(UnauthorizedError, "missing or invalid credentials"))

    return Authentication.of({
      basic: () => deferToBearer,
      bearer: (httpEffect, options) => authenticate(httpEffect, options)
    })
  })
)
