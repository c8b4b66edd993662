/**
 * `@media-object-storage/api`: the HTTP contract of Media Object Storage (SPEC §7),
 * defined with `effect/http-api`. The server implements it and the clients derive
 * their typed client and OpenAPI document from it. Each namespace is also its own
 * entry point (`@media-object-storage/api/MediaApi`, …).
 */
export * as ApiErrors from "./ApiErrors.ts"
export * as Authentication from "./Authentication.ts"
export * as CurrentRequest from "./CurrentRequest.ts"
export * as FileIdPath from "./FileIdPath.ts"
export * as MediaApi from "./MediaApi.ts"
export * as MediaGroup from "./MediaGroup.ts"
export * as RequestGuard from "./RequestGuard.ts"
export * as SystemGroup from "./SystemGroup.ts"
export * as Documentation from "./documentation.ts"
