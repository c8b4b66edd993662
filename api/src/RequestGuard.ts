/**
 * Middleware on every API endpoint: caps the request body and turns request
 * decoding failures into the API's 400 body instead of HttpApi's empty one.
 * Declares the errors any endpoint may answer with.
 */
import { HttpApiMiddleware } from "effect/http-api"
import { InternalError, InvalidRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from "./ApiErrors.ts"

/**
 * Middleware on every endpoint: caps the body and answers undecodable requests with the 400 body; declares
 * 400, 413, 415 and 500.
 */
export class RequestGuard extends HttpApiMiddleware.Service<RequestGuard>()("apps/http/RequestGuard", {
  error: [InvalidRequestError, PayloadTooLargeError, UnsupportedMediaTypeError, InternalError]
}) {}
