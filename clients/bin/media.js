#!/usr/bin/env node
// The `media` CLI: runs the built entry (npm run build makes dist/; see src/cli/main.ts).
import "../dist/cli/main.js"
