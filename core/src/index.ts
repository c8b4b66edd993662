/**
 * `@media-object-storage/core`: the domain of Media Object Storage (SPEC §2–§6) as
 * namespaces — entity keys, the file lifecycle, the ports, the use cases and the
 * in-memory adapters. Each namespace is also its own entry point
 * (`@media-object-storage/core/FileState`, …), which bundlers tree-shake best.
 * Imports `effect` only.
 */
export * as ContentType from "./ContentType.ts"
export * as Cursors from "./Cursors.ts"
export * as EntityKey from "./EntityKey.ts"
export * as EntityType from "./EntityType.ts"
export * as FileRecord from "./FileRecord.ts"
export * as FileState from "./FileState.ts"
export * as FileView from "./FileView.ts"
export * as Ids from "./Ids.ts"
export * as ImageFormat from "./ImageFormat.ts"
export * as MediaConfig from "./MediaConfig.ts"
export * as MediaErrors from "./MediaErrors.ts"
export * as ObjectArrived from "./ObjectArrived.ts"
export * as ObjectKeys from "./ObjectKeys.ts"
export * as SortPosition from "./SortPosition.ts"
export * as NowSeconds from "./nowSeconds.ts"
export * as Authenticator from "./ports/Authenticator.ts"
export * as FileIds from "./ports/FileIds.ts"
export * as FileRepository from "./ports/FileRepository.ts"
export * as ImageProcessor from "./ports/ImageProcessor.ts"
export * as ObjectStore from "./ports/ObjectStore.ts"
export * as UrlSigner from "./ports/UrlSigner.ts"
export * as MemoryAuthenticator from "./memory/MemoryAuthenticator.ts"
export * as MemoryFileRepository from "./memory/MemoryFileRepository.ts"
export * as MemoryImageProcessor from "./memory/MemoryImageProcessor.ts"
export * as MemoryObjectStore from "./memory/MemoryObjectStore.ts"
export * as MemoryUrlSigner from "./memory/MemoryUrlSigner.ts"
export * as LayerMemory from "./memory/layerMemory.ts"
export * as MediaFiles from "./usecases/MediaFiles.ts"
export * as Processing from "./usecases/Processing.ts"
export * as SearchFiles from "./usecases/SearchFiles.ts"
export * as DeleteFile from "./usecases/DeleteFile.ts"
export * as KnownRecords from "./usecases/KnownRecords.ts"
