/**
 * The storage and metadata ports of aws mode (S3 + DynamoDB), shared by the API and the Lambdas.
 * Its own module so the processing Lambdas load neither the HTTP app nor anything embedded.
 */
import { Layer } from "effect"
import * as DynamoFileRepository from "@media/adapters/dynamodb/DynamoFileRepository"
import * as S3ObjectStore from "@media/adapters/s3/S3ObjectStore"
import { mediaConfigLayer } from "../config/AppConfig.ts"

/** FileRepository, DynamoTable, ObjectStore and MediaConfig; needs AppConfig and the AWS SDK's environment. */
export const AwsStorageLayer = Layer.mergeAll(DynamoFileRepository.layer, S3ObjectStore.layer).pipe(
  Layer.provideMerge(mediaConfigLayer)
)
