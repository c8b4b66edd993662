import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["core/test/**/*.test.ts", "adapters/test/**/*.test.ts", "apps/test/**/*.test.ts", "clients/test/**/*.test.ts", "test/**/*.test.ts", "infra/test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: keep worker count small so the heavier suites (sharp, DynamoDB Local) don't starve each other.
    maxWorkers: 2
  }
})
