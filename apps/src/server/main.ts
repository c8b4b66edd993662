/**
 * `npm start`: the service in the mode MEDIA_MODE selects (embedded by default).
 */
import { Layer } from "effect"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { ServerLayer } from "./ServerLayer.ts"

Layer.launch(ServerLayer).pipe(NodeRuntime.runMain)
