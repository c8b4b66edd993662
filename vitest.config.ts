import { defaultServerConditions } from "vite"
import { defineConfig } from "vitest/config"

/**
 * Inside this repository the workspace packages run from their TypeScript sources: the
 * "@media-object-storage/source" export condition (see .npmrc) picks src/*.ts over dist/*.js.
 */
const sourceCondition = "@media-object-storage/source"
// Child processes the tests spawn (servers, CLIs) resolve the same way, also under a bare `npx vitest`.
if (!(process.env.NODE_OPTIONS ?? "").includes(`--conditions=${sourceCondition}`)) {
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} --conditions=${sourceCondition}`.trim()
}

export default defineConfig({
  // Vitest's own default (Vite's server conditions without "module", which would pick packages'
  // untranspiled ESM builds) with the source condition first; Vitest also passes these to its workers.
  ssr: { resolve: { conditions: [sourceCondition, ...defaultServerConditions.filter((c) => c !== "module")] } },
  test: {
    include: [
      "core/test/**/*.test.ts",
      "api/test/**/*.test.ts",
      "adapters/test/**/*.test.ts",
      "testing/test/**/*.test.ts",
      "apps/test/**/*.test.ts",
      "clients/test/**/*.test.ts",
      "test/**/*.test.ts",
      "infra/test/**/*.test.ts"
    ],
    // The packages as built (dist/) for the tests that use them: the media bin, the consumer test.
    globalSetup: ["test/support/buildPackages.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: keep worker count small so the heavier suites (sharp, DynamoDB Local) don't starve each other.
    maxWorkers: 2
  }
})
