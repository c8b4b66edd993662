/**
 * Lambda entry for the HTTP API: API Gateway HTTP API (payload 2.0) or a Function URL. The app is
 * built once per container, at the first invocation.
 */
import { Context, References } from "effect"
import type { LambdaContext } from "../LambdaContext.ts"
import { makeApiHandler } from "./ApiApp.ts"
import { type HttpApiEvent, toRequest, toResult } from "./HttpApiEvent.ts"

let app: ReturnType<typeof makeApiHandler> | undefined

/** The Lambda handler (`index.handler` in the bundle). */
export const handler = async (event: HttpApiEvent, context?: LambdaContext) => {
  app ??= makeApiHandler()
  const annotations = Context.make(References.CurrentLogAnnotations, { aws_request_id: context?.awsRequestId ?? "unknown" })
  return toResult(await app.handler(toRequest(event), annotations))
}
