/**
 * The aws deployment as one CDK stack: bucket, queue, table, CDN, the three Lambdas (from the
 * bundles `npm run bundle` builds), their schedule and API, least-privilege roles, alarms, outputs.
 * Deploy-time values are CloudFormation parameters; build-time choices are `MediaStackProps`.
 */
import { join } from "node:path"
import {
  Annotations,
  aws_apigatewayv2 as apigw,
  aws_apigatewayv2_integrations as integrations,
  aws_cloudfront as cloudfront,
  aws_cloudfront_origins as origins,
  aws_cloudwatch as cloudwatch,
  aws_dynamodb as dynamodb,
  aws_events as events,
  aws_events_targets as targets,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_s3 as s3,
  aws_s3_notifications as s3n,
  aws_sqs as sqs,
  CfnOutput,
  CfnParameter,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  type StackProps
} from "aws-cdk-lib"
import type { Construct } from "constructs"
import { tableDefinition } from "@media-object-storage/adapters/dynamodb/TableSchema"
import { apiActions, objectCreatedActions, sweepActions } from "./permissions.ts"

export interface MediaStackProps extends StackProps {
  /** Where `npm run bundle` wrote the functions (`dist/lambda`). */
  readonly bundleDir: string
  /** Must match the bundles' sharp binaries (`npm run bundle -- --arch ...`). Default arm64. */
  readonly architecture?: "arm64" | "x64"
  /** `httpApi` (API Gateway HTTP API, default) or `functionUrl` (a Lambda Function URL, no API Gateway). */
  readonly api?: "httpApi" | "functionUrl"
  /** Reserved concurrency of the object-created function (also bounds the table and sharp load). Default 10. */
  readonly processingReservedConcurrency?: number
}

/** Memory and time for the largest accepted input (100 MP): decoded RGBA is ~400 MB per image, two at once. */
export const processingSizing = {
  memoryMb: 3008,
  timeoutSeconds: 120,
  /** Above the timeout: an attempt is only retried once the function that held it is surely gone. */
  leaseSeconds: 180,
  processingMemoryMb: 2048,
  concurrency: 2
} as const

const denyEverythingElse = `function handler(event) {
  return { statusCode: 403, statusDescription: "Forbidden" };
}`

/**
 * Viewer-request guard of the signed behaviours: a download URL carries the signing parameters and nothing
 * else. CloudFront matches a custom policy's Resource against the whole URL, query included, and a file's
 * Resource starts with a wildcard (`https://cdn/*` + `/<account>/<file_id>/<attempt>.jpg`, one signature for
 * its image and thumbnail), so without this another object's path with the file's tail in a query
 * (`/images/<other>/...jpg?x=/<account>/<file_id>/1.jpg&Policy=...`) would be let through.
 */
export const signedQueryOnly = `var signing = ["Policy", "Signature", "Key-Pair-Id", "Expires", "Hash-Algorithm"];
function handler(event) {
  var query = event.request.querystring;
  for (var name in query) {
    if (signing.indexOf(name) === -1 || query[name].multiValue) return { statusCode: 403, statusDescription: "Forbidden" };
  }
  return event.request;
}`

export class MediaStack extends Stack {
  constructor(scope: Construct, id: string, props: MediaStackProps) {
    super(scope, id, props)
    const architecture = props.architecture === "x64" ? lambda.Architecture.X86_64 : lambda.Architecture.ARM_64

    // ---- deploy-time parameters
    const cdnPublicKey = new CfnParameter(this, "CdnPublicKeyPem", {
      type: "String",
      description: "PEM of the CloudFront signing public key (openssl rsa -pubout, see docs/aws.md)"
    })
    const cdnPrivateKeyArn = new CfnParameter(this, "CdnPrivateKeySecretArn", {
      type: "String",
      description: "ARN of the Secrets Manager secret holding the matching private key PEM",
      // Not a secret itself, but CloudFormation's linter takes it for one.
      noEcho: true
    })
    const credentialsArn = new CfnParameter(this, "CredentialsSecretArn", {
      type: "String",
      description: "ARN of the Secrets Manager secret holding the credentials document (SPEC §5)",
      noEcho: true
    })
    const corsOrigins = new CfnParameter(this, "CorsOrigins", {
      type: "CommaDelimitedList",
      default: "*",
      description: "Origins allowed to POST uploads from a browser and to call the API"
    })
    const logLevel = new CfnParameter(this, "LogLevel", {
      type: "String",
      default: "info",
      allowedValues: ["trace", "debug", "info", "warn", "error", "none"]
    })

    // ---- storage
    const bucket = new s3.Bucket(this, "Media", {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      cors: [{
        allowedMethods: [s3.HttpMethods.POST],
        allowedOrigins: corsOrigins.valueAsList,
        allowedHeaders: ["*"],
        exposedHeaders: ["ETag"],
        maxAge: 3000
      }],
      lifecycleRules: [
        // Originals are deleted by the workflow once a file is final; this is the backstop.
        { id: "expire-originals", prefix: "originals/", expiration: Duration.days(2) },
        { id: "abort-incomplete-multipart-uploads", abortIncompleteMultipartUploadAfter: Duration.days(1) }
      ],
      removalPolicy: RemovalPolicy.RETAIN
    })

    const definition = tableDefinition("unused")
    const table = new dynamodb.CfnTable(this, "Files", {
      billingMode: definition.BillingMode ?? "PAY_PER_REQUEST",
      attributeDefinitions: (definition.AttributeDefinitions ?? []).map((a) => ({ attributeName: a.AttributeName!, attributeType: a.AttributeType! })),
      keySchema: (definition.KeySchema ?? []).map((k) => ({ attributeName: k.AttributeName!, keyType: k.KeyType! })),
      globalSecondaryIndexes: (definition.GlobalSecondaryIndexes ?? []).map((index) => ({
        indexName: index.IndexName!,
        keySchema: (index.KeySchema ?? []).map((k) => ({ attributeName: k.AttributeName!, keyType: k.KeyType! })),
        projection: { projectionType: index.Projection?.ProjectionType! }
      })),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      sseSpecification: { sseEnabled: true }
    })
    table.applyRemovalPolicy(RemovalPolicy.RETAIN)
    const tableResources = [table.attrArn, `${table.attrArn}/index/*`]

    // ---- arrivals: originals/ ObjectCreated -> queue (-> DLQ after 5 receives)
    const deadLetters = new sqs.Queue(this, "ObjectCreatedDeadLetters", {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true
    })
    const arrivals = new sqs.Queue(this, "ObjectCreatedQueue", {
      // Six times the function timeout, as Lambda's SQS integration recommends.
      visibilityTimeout: Duration.seconds(processingSizing.timeoutSeconds * 6),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: 5 }
    })
    bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(arrivals), { prefix: "originals/" })

    // ---- CDN: only images/* and thumbnails/*, signed by the trusted key group
    const publicKey = new cloudfront.PublicKey(this, "CdnPublicKey", { encodedKey: cdnPublicKey.valueAsString })
    const keyGroup = new cloudfront.KeyGroup(this, "CdnKeyGroup", { items: [publicKey] })
    // Through a reference, so CDK does not grant the CDN the whole bucket: read access is granted
    // below for the two prefixes only.
    const bucketRef = s3.Bucket.fromBucketAttributes(this, "MediaForCdn", {
      bucketName: bucket.bucketName,
      bucketRegionalDomainName: bucket.bucketRegionalDomainName
    })
    const origin = origins.S3BucketOrigin.withOriginAccessControl(bucketRef)
    const signed: cloudfront.AddBehaviorOptions = {
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      trustedKeyGroups: [keyGroup]
    }
    const guard = new cloudfront.Function(this, "CdnSignedQueryOnly", {
      code: cloudfront.FunctionCode.fromInline(signedQueryOnly),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: "Signed downloads carry no query parameters but the signing ones"
    })
    const signedOnly: cloudfront.AddBehaviorOptions = {
      ...signed,
      functionAssociations: [{ function: guard, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }]
    }
    const deny = new cloudfront.Function(this, "CdnDenyOther", {
      code: cloudfront.FunctionCode.fromInline(denyEverythingElse),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: "Everything but images/* and thumbnails/* is refused"
    })
    const distribution = new cloudfront.Distribution(this, "Cdn", {
      defaultBehavior: {
        origin,
        ...signed,
        functionAssociations: [{ function: deny, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }]
      },
      additionalBehaviors: { "images/*": { origin, ...signedOnly }, "thumbnails/*": { origin, ...signedOnly } },
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100
    })
    // Intended: the policy for the two prefixes is added below.
    Annotations.of(distribution).acknowledgeWarning("@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac")
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: "CdnReadsDerivatives",
      principals: [new iam.ServicePrincipal("cloudfront.amazonaws.com")],
      actions: ["s3:GetObject"],
      resources: [bucket.arnForObjects("images/*"), bucket.arnForObjects("thumbnails/*")],
      conditions: { StringEquals: { "AWS:SourceArn": this.formatArn({ service: "cloudfront", region: "", resource: "distribution", resourceName: distribution.distributionId }) } }
    }))
    const cdnUrl = `https://${distribution.distributionDomainName}`

    // ---- functions
    const common = {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture,
      handler: "index.handler",
      environment: {
        MEDIA_MODE: "aws",
        MEDIA_BUCKET: bucket.bucketName,
        MEDIA_TABLE: table.ref,
        MEDIA_LOG_LEVEL: logLevel.valueAsString
      }
    }
    const fn = (id: string, bundle: string, options: Omit<lambda.FunctionProps, "runtime" | "architecture" | "handler" | "code">) =>
      new lambda.Function(this, id, {
        ...common,
        ...options,
        code: lambda.Code.fromAsset(join(props.bundleDir, bundle)),
        environment: { ...common.environment, ...options.environment },
        logGroup: new logs.LogGroup(this, `${id}Logs`, { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY })
      })
    const processingEnv = {
      MEDIA_LEASE_SECONDS: String(processingSizing.leaseSeconds),
      MEDIA_PROCESSING_CONCURRENCY: String(processingSizing.concurrency),
      MEDIA_PROCESSING_MEMORY_MB: String(processingSizing.processingMemoryMb)
    }
    const objectCreated = fn("ObjectCreatedFunction", "object-created", {
      description: "Processes originals as they arrive (S3 -> SQS)",
      memorySize: processingSizing.memoryMb,
      timeout: Duration.seconds(processingSizing.timeoutSeconds),
      reservedConcurrentExecutions: props.processingReservedConcurrency ?? 10,
      environment: processingEnv
    })
    // A mapping of its own rather than SqsEventSource, whose grant adds sqs:GetQueueUrl (never called).
    new lambda.EventSourceMapping(this, "ObjectCreatedFromQueue", {
      target: objectCreated,
      eventSourceArn: arrivals.queueArn,
      batchSize: 4,
      reportBatchItemFailures: true
    })
    const sweep = fn("SweepFunction", "sweep", {
      description: "Expires abandoned uploads, re-drives lost events and crashed attempts",
      memorySize: processingSizing.memoryMb,
      timeout: Duration.seconds(processingSizing.timeoutSeconds),
      // One sweep at a time.
      reservedConcurrentExecutions: 1,
      environment: processingEnv
    })
    new events.Rule(this, "SweepSchedule", {
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(sweep, { retryAttempts: 0 })]
    })
    const apiFunction = fn("ApiFunction", "api", {
      description: "The HTTP API (/v1/media, /healthz, /readyz, /openapi.json, /docs)",
      memorySize: 1024,
      timeout: Duration.seconds(29),
      environment: {
        MEDIA_CDN_URL: cdnUrl,
        MEDIA_CDN_KEY_PAIR_ID: publicKey.publicKeyId,
        MEDIA_CDN_PRIVATE_KEY_ARN: cdnPrivateKeyArn.valueAsString,
        MEDIA_AUTH_FILE_ARN: credentialsArn.valueAsString,
        MEDIA_CORS_ORIGINS: Fn.join(",", corsOrigins.valueAsList)
      }
    })

    // ---- permissions: exactly what each function calls
    const allow = (target: lambda.Function, actions: ReadonlyArray<string>, resources: ReadonlyArray<string>) =>
      target.addToRolePolicy(new iam.PolicyStatement({ actions: [...actions], resources: [...resources] }))
    allow(apiFunction, apiActions.dynamodb, tableResources)
    allow(apiFunction, apiActions.s3PutOriginals, [bucket.arnForObjects("originals/*")])
    allow(apiFunction, apiActions.s3Delete, [bucket.arnForObjects("*")])
    allow(apiFunction, apiActions.secrets, [cdnPrivateKeyArn.valueAsString, credentialsArn.valueAsString])
    allow(objectCreated, objectCreatedActions.sqs, [arrivals.queueArn])
    for (const [target, actions] of [[objectCreated, objectCreatedActions], [sweep, sweepActions]] as const) {
      allow(target, actions.dynamodb, tableResources)
      allow(target, actions.s3ReadOriginals, [bucket.arnForObjects("originals/*")])
      allow(target, actions.s3PutDerivatives, [bucket.arnForObjects("images/*"), bucket.arnForObjects("thumbnails/*")])
      allow(target, actions.s3Delete, [bucket.arnForObjects("*")])
    }

    // ---- the API in front of the api function
    let apiUrl: string
    if (props.api === "functionUrl") {
      const url = apiFunction.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE })
      apiUrl = url.url
    } else {
      const httpApi = new apigw.HttpApi(this, "HttpApi", {
        description: "Media object storage API",
        defaultIntegration: new integrations.HttpLambdaIntegration("ApiIntegration", apiFunction, {
          payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0
        })
      })
      apiUrl = httpApi.apiEndpoint
    }

    // ---- alarms
    new cloudwatch.Alarm(this, "DeadLettersAlarm", {
      alarmDescription: "Arrivals failed 5 times and were parked in the dead-letter queue",
      metric: deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING
    })
    for (const [name, target] of [["Api", apiFunction], ["ObjectCreated", objectCreated], ["Sweep", sweep]] as const) {
      new cloudwatch.Alarm(this, `${name}ErrorsAlarm`, {
        alarmDescription: `The ${name} function failed invocations`,
        metric: target.metricErrors({ period: Duration.minutes(5) }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING
      })
    }

    new CfnOutput(this, "ApiUrl", { value: apiUrl, description: "Point clients here (MEDIA API base URL)" })
    new CfnOutput(this, "CdnUrl", { value: cdnUrl, description: "MEDIA_CDN_URL" })
    new CfnOutput(this, "CdnKeyPairId", { value: publicKey.publicKeyId, description: "MEDIA_CDN_KEY_PAIR_ID" })
    new CfnOutput(this, "BucketName", { value: bucket.bucketName, description: "MEDIA_BUCKET" })
    new CfnOutput(this, "TableName", { value: table.ref, description: "MEDIA_TABLE" })
  }
}
