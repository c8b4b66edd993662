/** The DynamoDB adapter against AWS's DynamoDB Local (Java, in memory), started once for this file. */
import { afterAll } from "@effect/vitest"
import { startDynamoDbLocal } from "../../../test/support/dynamodbLocal.ts"
import { fileRepositoryContract } from "../../../core/test/contract/FileRepositoryContract.ts"
import { adapterSuite } from "./adapterSuite.ts"
import { freshRepository, serverOnce } from "./fixtures.ts"

const server = serverOnce(() => startDynamoDbLocal())
afterAll(() => server.stop())

fileRepositoryContract("DynamoDB Local", freshRepository(server.endpoint))
adapterSuite("DynamoDB Local", server.endpoint)
