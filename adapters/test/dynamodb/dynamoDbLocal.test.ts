/** The DynamoDB adapter against AWS's DynamoDB Local (Java, in memory), started once for this file. */
import { afterAll } from "@effect/vitest"
import { startDynamoDbLocal } from "../../../test/support/dynamodbLocal.ts"
import { adapterSuite } from "./adapterSuite.ts"
import { serverOnce } from "./fixtures.ts"

const server = serverOnce(() => startDynamoDbLocal())
afterAll(() => server.stop())

adapterSuite("DynamoDB Local", server.endpoint)
