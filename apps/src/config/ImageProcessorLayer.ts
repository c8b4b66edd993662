/**
 * The process's one ImageProcessor (sharp), bounded as configured: every caller in the process
 * (dispatcher, sweeper, recovery, a Lambda's records) shares its gate, so the bound is the process's.
 */
import { Effect, Layer } from "effect"
import { ImageProcessor, ProcessorError } from "@media-object-storage/core/ports/ImageProcessor"
import { AppConfig } from "./AppConfig.ts"

/**
 * Reads `MEDIA_PROCESSING_CONCURRENCY` (images at once) and `MEDIA_PROCESSING_MEMORY_MB` (MiB of
 * estimated decoded pixels in flight) through AppConfig when built, never at import. Provide it
 * once per process: a second instance would have a gate of its own.
 *
 * sharp (libvips and some 60 modules: about a fifth of a second of CPU) is loaded by the first
 * image, not as the process starts: a server answers /healthz without it. A sharp that cannot be
 * loaded fails every image with a ProcessorError carrying why.
 */
export const imageProcessorLayer = Layer.effect(
  ImageProcessor,
  Effect.gen(function*() {
    const config = yield* AppConfig
    const processor = yield* Effect.cached(
      Effect.tryPromise({
        try: () => import("@media-object-storage/adapters/sharp/SharpImageProcessor"),
        catch: (cause) => new ProcessorError({ cause })
      }).pipe(Effect.flatMap((SharpImageProcessor) =>
        SharpImageProcessor.make({
          maxConcurrentImages: config.processingConcurrency,
          memoryBudgetBytes: config.processingMemoryMb * 2 ** 20
        })
      ))
    )
    return ImageProcessor.of({
      process: (bytes, options) => Effect.flatMap(processor, (loaded) => loaded.process(bytes, options))
    })
  })
)
