#!/usr/bin/env node
/**
 * The `media` CLI (a `bin` of @media-object-storage/client): see docs/clients.md.
 * Failures print one line on stderr and exit with the codes of CliFailure.ts.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Effect, Layer } from "effect"
import { Command } from "effect/cli"
import { exitWith, presenter } from "./CliExit.ts"
import { mediaCommand } from "./MediaCommand.ts"

Command.run(mediaCommand, { version: "0.1.0" }).pipe(
  Effect.catch(exitWith),
  Effect.provide(Layer.merge(NodeServices.layer, presenter)),
  NodeRuntime.runMain
)
