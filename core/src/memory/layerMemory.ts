/**
 * Every port in memory: enough to run every use case in tests.
 */
import { Layer } from "effect"
import { Cursors } from "../Cursors.ts"
import type { Principal } from "../ports/Authenticator.ts"
import { FileIds } from "../ports/FileIds.ts"
import * as MemoryAuthenticator from "./MemoryAuthenticator.ts"
import * as MemoryFileRepository from "./MemoryFileRepository.ts"
import * as MemoryImageProcessor from "./MemoryImageProcessor.ts"
import * as MemoryObjectStore from "./MemoryObjectStore.ts"
import * as MemoryUrlSigner from "./MemoryUrlSigner.ts"

/** Options of `layerMemory`: the memory processor's, and the bearer tokens the memory authenticator accepts. */
export interface MemoryOptions extends MemoryImageProcessor.MemoryImageProcessorOptions {
  readonly tokens?: Readonly<Record<string, Principal>>
}

/**
 * Every port in memory (FileRepository, ObjectStore, UrlSigner, ImageProcessor, Authenticator) with
 * `FileIds.layer` and `Cursors.layerTest`: all `MediaFiles.layer` and `Processing.layer` need. Each
 * build starts empty.
 */
export const layerMemory = (options: MemoryOptions = {}) =>
  Layer.mergeAll(
    MemoryFileRepository.layerMemory,
    MemoryObjectStore.layerMemory,
    MemoryUrlSigner.layerMemory,
    MemoryImageProcessor.layerMemory(options),
    MemoryAuthenticator.layerMemory(options.tokens ?? {}),
    FileIds.layer,
    Cursors.layerTest
  )
