/** The DynamoDB adapter against dynalite (in-process). */
import { afterAll } from "@effect/vitest"
import { startDynalite } from "../../../test/support/dynamodbLocal.ts"
import { adapterSuite } from "./adapterSuite.ts"
import { serverOnce } from "./fixtures.ts"

const server = serverOnce(() => startDynalite())
afterAll(() => server.stop())

adapterSuite("dynalite", server.endpoint)
