/** The DynamoDB adapter against dynalite (in-process). */
import { afterAll } from "@effect/vitest"
import { startDynalite } from "../../../test/support/dynamodbLocal.ts"
import { fileRepositoryContract } from "../../../core/test/contract/FileRepositoryContract.ts"
import { adapterSuite } from "./adapterSuite.ts"
import { freshRepository, serverOnce } from "./fixtures.ts"

const server = serverOnce(() => startDynalite())
afterAll(() => server.stop())

fileRepositoryContract("dynalite", freshRepository(server.endpoint))
adapterSuite("dynalite", server.endpoint)
