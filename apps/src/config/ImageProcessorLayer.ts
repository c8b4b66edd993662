/**
 * The process's one ImageProcessor (sharp), bounded as configured: every caller in the process
 * (dispatcher, sweeper, recovery, a Lambda's records) shares its gate, so the bound is the process's.
 */
import { Effect, Layer } from "effect"
import * as SharpImageProcessor from "@media-object-storage/adapters/sharp/SharpImageProcessor"
import { ImageProcessor } from "@media-object-storage/core/ports/ImageProcessor"
import { AppConfig } from "./AppConfig.ts"

/**
 * Reads `MEDIA_PROCESSING_CONCURRENCY` (images at once) and `MEDIA_PROCESSING_MEMORY_MB` (MiB of
 * estimated decoded pixels in flight) through AppConfig when built, never at import. Provide it
 * once per process: a second instance would have a gate of its own.
 */
export const imageProcessorLayer = Layer.effect(
  ImageProcessor,
  Effect.gen(function*() {
    const config = yield* AppConfig
    return yield* SharpImageProcessor.make({
      maxConcurrentImages: config.processingConcurrency,
      memoryBudgetBytes: config.processingMemoryMb * 2 ** 20
    })
  })
)
