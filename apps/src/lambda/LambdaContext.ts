/**
 * The slice of the AWS Lambda Node.js runtime's invocation context the handlers use
 * (the project does not depend on @types/aws-lambda for three fields).
 */
export interface LambdaContext {
  /** The id of this invocation; every log line of it carries it as `aws_request_id`. */
  readonly awsRequestId: string
  readonly functionName?: string
  readonly getRemainingTimeInMillis?: () => number
}
