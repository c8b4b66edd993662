/**
 * The storage and metadata ports of aws mode (S3 + DynamoDB), shared by the API and the Lambdas.
 * Its own module so the processing Lambdas load neither the HTTP app nor anything embedded.
 */
import { Effect, Layer } from "effect"
import * as DynamoFileRepository from "@media-object-storage/adapters/dynamodb/DynamoFileRepository"
import * as S3ObjectStore from "@media-object-storage/adapters/s3/S3ObjectStore"
import { AppConfig, mediaConfigLayer, requiredInAws } from "../config/AppConfig.ts"

/** FileRepository, DynamoTable, ObjectStore and MediaConfig; needs AppConfig and the AWS SDK's environment. */
export const AwsStorageLayer = Layer.unwrap(Effect.gen(function*() {
  const config = yield* AppConfig
  const table = yield* requiredInAws(config.table, "MEDIA_TABLE")
  const bucket = yield* requiredInAws(config.bucket, "MEDIA_BUCKET")
  return Layer.mergeAll(DynamoFileRepository.layer(table), S3ObjectStore.layer(bucket))
})).pipe(Layer.provideMerge(mediaConfigLayer))
