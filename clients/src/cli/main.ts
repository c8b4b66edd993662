#!/usr/bin/env node
/**
 * The `media` CLI (a `bin` of @media-object-storage/client): see docs/clients.md.
 * Failures print one line on stderr and exit with the codes of CliFailure.ts.
 */
import { createRequire } from "node:module"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Effect, Layer } from "effect"
import { Command } from "effect/cli"
import { exitWith, presenter } from "./CliExit.ts"
import { mediaCommand } from "./MediaCommand.ts"

/** The package's own version: src/cli/ and dist/cli/ both sit two folders below package.json. */
const { version } = createRequire(import.meta.url)("../../package.json") as { readonly version: string }

Command.run(mediaCommand, { version }).pipe(
  Effect.catch(exitWith),
  Effect.provide(Layer.merge(NodeServices.layer, presenter)),
  NodeRuntime.runMain
)
