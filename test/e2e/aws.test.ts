import { layerAws } from "../support/servers.ts"
import { endToEnd } from "./scenario/index.ts"

endToEnd("end to end (aws: s3rver + DynamoDB Local)", "aws", layerAws)
