/**
 * What the HTTP layer knows about the request being served: its id (SPEC §7)
 * and, once authenticated, its account (for the access log).
 */
import { Context } from "effect"

/** What the HTTP layer knows about the request being served. */
export interface RequestInfo {
  readonly requestId: string
  /**
   * Set by the authentication middleware. Mutable on purpose: the access log
   * is written by the outer router middleware, which cannot see services the
   * inner API middleware provides.
   */
  accountId: string | undefined
}

/** Provided per request by the router middleware; the default only shows up outside a request. */
export const CurrentRequest = Context.Reference<RequestInfo>("apps/http/CurrentRequest", {
  defaultValue: () => ({ requestId: "none", accountId: undefined })
})

const clientRequestId = /^[A-Za-z0-9._-]{1,128}$/

/** Keeps a well-formed client `x-request-id`, otherwise makes a new UUID. */
export const requestIdFrom = (header: string | undefined): string =>
  header !== undefined && clientRequestId.test(header) ? header : globalThis.crypto.randomUUID()
