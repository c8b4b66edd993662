/**
 * The IAM actions each function is granted, as data: the stack grants exactly these, and the
 * tests compare the synthesized policies with them. Every action is one the function's code calls
 * (S3ObjectStore, DynamoFileRepository, TableSchema.tableReady, SecretRefs).
 */

/** The api: sign upload policies (PutObject under originals/), delete files, read/write records, /readyz. */
export const apiActions = {
  dynamodb: ["dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
  s3PutOriginals: ["s3:PutObject"],
  s3Delete: ["s3:DeleteObject"],
  secrets: ["secretsmanager:GetSecretValue"]
} as const

/** What processing needs: read originals (Get/Head), write derivatives, delete originals (and a deleted file's objects). */
const processingS3 = {
  s3ReadOriginals: ["s3:GetObject"],
  s3PutDerivatives: ["s3:PutObject"],
  s3Delete: ["s3:DeleteObject"]
} as const

/** object-created: processing, and consuming its queue (what Lambda's SQS poller calls on the function's behalf). */
export const objectCreatedActions = {
  ...processingS3,
  dynamodb: ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem"],
  sqs: ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]
} as const

/** sweep: processing, plus the due index query. */
export const sweepActions = {
  ...processingS3,
  dynamodb: ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"]
} as const
