import { layerEmbedded } from "../support/servers.ts"
import { endToEnd } from "./scenario/index.ts"

endToEnd("end to end (embedded)", "embedded", layerEmbedded)
