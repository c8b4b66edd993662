#!/usr/bin/env node
// The `media` CLI: runs the built entry (dist/, made by `npm run build`; see src/cli/main.ts).
try {
  await import("../dist/cli/main.js")
} catch (error) {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("/dist/cli/main.js")) {
    console.error("media: the client is not built here yet; run `npm run build` in the repository")
    process.exit(1)
  }
  throw error
}
