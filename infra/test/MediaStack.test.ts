/**
 * The synthesized stack (aws-cdk-lib/assertions), over stand-in bundle directories so it needs no
 * build: every resource docs/aws.md promises, the exact IAM actions per function, the event filter,
 * CORS, the CDN's access control and key group, the schedule, alarms and outputs.
 */
import { assert, describe, it } from "@effect/vitest"
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { App } from "aws-cdk-lib"
import { Match, Template } from "aws-cdk-lib/assertions"
import { MediaStack, type MediaStackProps, processingSizing, signedQueryOnly } from "../lib/MediaStack.ts"
import { apiActions, objectCreatedActions, sweepActions } from "../lib/permissions.ts"

const stubBundles = () => {
  const dir = mkdtempSync(join(tmpdir(), "media-stack-"))
  for (const name of ["api", "object-created", "sweep"]) {
    mkdirSync(join(dir, name))
    writeFileSync(join(dir, name, "index.mjs"), "export const handler = async () => ({})\n")
  }
  return dir
}

const synth = (props: Partial<MediaStackProps> = {}) => {
  const app = new App()
  return Template.fromStack(new MediaStack(app, "Test", { bundleDir: stubBundles(), ...props }))
}

const template = synth()
type Resource = { Properties: any; DeletionPolicy?: string; UpdateReplacePolicy?: string }
const byType = (type: string) => template.findResources(type) as Record<string, Resource>
const only = (type: string): Resource => {
  const all = Object.values(byType(type))
  assert.lengthOf(all, 1, type)
  return all[0]!
}

const functionByDescription = (prefix: string): [string, Resource] => {
  const found = Object.entries(byType("AWS::Lambda::Function")).filter(([, r]) => String(r.Properties.Description ?? "").startsWith(prefix))
  assert.lengthOf(found, 1, prefix)
  return found[0]!
}

/** Every action of every statement in the policies attached to the function's role, sorted. */
const actionsOf = (prefix: string) => {
  const [, fn] = functionByDescription(prefix)
  const role = fn.Properties.Role["Fn::GetAtt"][0]
  const policies = Object.values(byType("AWS::IAM::Policy")).filter((p) => JSON.stringify(p.Properties.Roles).includes(`"${role}"`))
  const actions = policies.flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat()))
  return [...new Set(actions as Array<string>)].sort()
}

const flat = (groups: Record<string, ReadonlyArray<string>>) => [...new Set(Object.values(groups).flat())].sort()

describe("MediaStack", () => {
  it("makes a private, encrypted, TLS-only bucket with CORS for form POSTs and lifecycle rules", () => {
    const bucket = only("AWS::S3::Bucket")
    assert.deepStrictEqual(bucket.Properties.PublicAccessBlockConfiguration, {
      BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true
    })
    assert.strictEqual(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm, "AES256")
    assert.deepStrictEqual(bucket.Properties.CorsConfiguration.CorsRules, [{
      AllowedHeaders: ["*"], AllowedMethods: ["POST"], AllowedOrigins: { Ref: "CorsOrigins" }, ExposedHeaders: ["ETag"], MaxAge: 3000
    }])
    const rules = bucket.Properties.LifecycleConfiguration.Rules
    assert.deepInclude(rules, { Id: "expire-originals", Prefix: "originals/", ExpirationInDays: 2, Status: "Enabled" })
    assert.deepInclude(rules, { Id: "abort-incomplete-multipart-uploads", AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: "Enabled" })
    assert.strictEqual(bucket.DeletionPolicy, "Retain")
    template.hasResourceProperties("AWS::S3::BucketPolicy", {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } })]) }
    })
  })

  it("lets the CDN read images/* and thumbnails/* only, for this distribution", () => {
    const policy = only("AWS::S3::BucketPolicy")
    const reads = policy.Properties.PolicyDocument.Statement.filter((s: any) => s.Principal?.Service === "cloudfront.amazonaws.com")
    assert.lengthOf(reads, 1)
    assert.strictEqual(reads[0].Action, "s3:GetObject")
    assert.deepInclude(JSON.stringify(reads[0].Resource), "/images/*")
    assert.deepInclude(JSON.stringify(reads[0].Resource), "/thumbnails/*")
    assert.notInclude(JSON.stringify(reads[0].Resource), "originals")
    assert.include(JSON.stringify(reads[0].Condition), "AWS:SourceArn")
  })

  it("sends originals/ ObjectCreated to the queue, with a dead-letter queue, consumed with partial batch failures", () => {
    template.hasResourceProperties("Custom::S3BucketNotifications", {
      NotificationConfiguration: {
        QueueConfigurations: [{
          Events: ["s3:ObjectCreated:*"],
          Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "originals/" }] } },
          QueueArn: Match.anyValue()
        }]
      }
    })
    template.resourceCountIs("AWS::SQS::Queue", 2)
    template.hasResourceProperties("AWS::SQS::Queue", {
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
      VisibilityTimeout: processingSizing.timeoutSeconds * 6
    })
    const [objectCreatedId] = functionByDescription("Processes originals")
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      FunctionName: { Ref: objectCreatedId },
      FunctionResponseTypes: ["ReportBatchItemFailures"]
    })
  })

  it("sizes the processing functions for 100 MP inputs, with the lease above the timeout", () => {
    for (const prefix of ["Processes originals", "Expires abandoned"]) {
      const [, fn] = functionByDescription(prefix)
      assert.strictEqual(fn.Properties.Architectures[0], "arm64")
      assert.strictEqual(fn.Properties.Runtime, "nodejs22.x")
      assert.strictEqual(fn.Properties.Handler, "index.handler")
      assert.isAtLeast(fn.Properties.MemorySize, 3008)
      const env = fn.Properties.Environment.Variables
      assert.isAbove(Number(env.MEDIA_LEASE_SECONDS), fn.Properties.Timeout)
      assert.strictEqual(env.MEDIA_MODE, "aws")
    }
    assert.strictEqual(functionByDescription("Processes originals")[1].Properties.ReservedConcurrentExecutions, 10)
    const custom = synth({ processingReservedConcurrency: 3, architecture: "x64" })
    custom.hasResourceProperties("AWS::Lambda::Function", { ReservedConcurrentExecutions: 3, Architectures: ["x86_64"] })
  })

  it("creates the table from the project's table definition: on demand, point-in-time recovery, retained", () => {
    const table = only("AWS::DynamoDB::Table")
    assert.strictEqual(table.Properties.BillingMode, "PAY_PER_REQUEST")
    assert.deepStrictEqual(table.Properties.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true })
    assert.deepStrictEqual(table.Properties.KeySchema, [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }])
    assert.deepStrictEqual(table.Properties.GlobalSecondaryIndexes.map((i: any) => i.IndexName), ["search", "due"])
    assert.strictEqual(table.DeletionPolicy, "Retain")
    assert.strictEqual(table.UpdateReplacePolicy, "Retain")
  })

  it("serves only signed images/* and thumbnails/* through origin access control and a key group from the parameter", () => {
    only("AWS::CloudFront::OriginAccessControl")
    template.hasResourceProperties("AWS::CloudFront::PublicKey", { PublicKeyConfig: Match.objectLike({ EncodedKey: { Ref: "CdnPublicKeyPem" } }) })
    const keyGroup = Object.keys(byType("AWS::CloudFront::KeyGroup"))
    assert.lengthOf(keyGroup, 1)
    const config = only("AWS::CloudFront::Distribution").Properties.DistributionConfig
    assert.deepStrictEqual(config.CacheBehaviors.map((b: any) => b.PathPattern), ["images/*", "thumbnails/*"])
    for (const behavior of [...config.CacheBehaviors, config.DefaultCacheBehavior]) {
      assert.deepStrictEqual(behavior.TrustedKeyGroups, [{ Ref: keyGroup[0] }])
      assert.deepStrictEqual(behavior.AllowedMethods, ["GET", "HEAD"])
      assert.strictEqual(behavior.ViewerProtocolPolicy, "https-only")
    }
    assert.lengthOf(config.DefaultCacheBehavior.FunctionAssociations, 1)
    const functions = byType("AWS::CloudFront::Function")
    const idOf = (code: string) => Object.entries(functions).find(([, f]) => f.Properties.FunctionCode === code)![0]
    const denyId = Object.keys(functions).find((id) => id !== idOf(signedQueryOnly))!
    assert.include(functions[denyId]!.Properties.FunctionCode, "statusCode: 403")
    assert.deepStrictEqual(config.DefaultCacheBehavior.FunctionAssociations[0].FunctionARN, { "Fn::GetAtt": [denyId, "FunctionARN"] })
    for (const behavior of config.CacheBehaviors) {
      assert.deepStrictEqual(behavior.FunctionAssociations, [{ EventType: "viewer-request", FunctionARN: { "Fn::GetAtt": [idOf(signedQueryOnly), "FunctionARN"] } }])
    }
    assert.isTrue(config.Origins.every((o: any) => o.OriginAccessControlId !== undefined))
  })

  it("the signed behaviours' guard lets through the signing parameters and nothing else", () => {
    const handler = new Function(`${signedQueryOnly}; return handler`)() as (event: unknown) => unknown
    const request = (querystring: Record<string, { value: string; multiValue?: Array<{ value: string }> }>) => ({ request: { uri: "/images/a/f/1.jpg", querystring } })
    const passes = (event: ReturnType<typeof request>) => handler(event) === event.request
    const v = (value: string) => ({ value })
    assert.isTrue(passes(request({ Policy: v("p"), Signature: v("s"), "Key-Pair-Id": v("K") })))
    assert.isTrue(passes(request({ Expires: v("1"), Signature: v("s"), "Key-Pair-Id": v("K"), "Hash-Algorithm": v("SHA256") })))
    assert.isTrue(passes(request({})))
    for (const extra of ["x", "/a/f/1.jpg", "policy", "constructor", "__proto__", "%50olicy"]) {
      assert.isFalse(passes(request({ Policy: v("p"), Signature: v("s"), "Key-Pair-Id": v("K"), [extra]: v("/a/f/1.jpg") })), extra)
    }
    assert.isFalse(passes(request({ Policy: { value: "p", multiValue: [v("p"), v("q")] }, Signature: v("s"), "Key-Pair-Id": v("K") })))
  })

  it("grants each function exactly the actions its code calls", () => {
    assert.deepStrictEqual(actionsOf("The HTTP API"), flat(apiActions))
    assert.include(actionsOf("The HTTP API"), "dynamodb:DescribeTable")
    assert.deepStrictEqual(actionsOf("Processes originals"), flat(objectCreatedActions))
    assert.deepStrictEqual(actionsOf("Expires abandoned"), flat(sweepActions))
    assert.deepStrictEqual(flat(apiActions), [
      "dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query",
      "s3:DeleteObject", "s3:PutObject", "secretsmanager:GetSecretValue"
    ])
    assert.deepStrictEqual(flat(sweepActions), [
      "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"
    ])
    // The api may put only under originals/ (the POST policies it signs), processing only derivatives.
    template.hasResourceProperties("AWS::IAM::Policy", {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: "s3:PutObject", Effect: "Allow", Resource: { "Fn::Join": ["", [Match.anyValue(), "/originals/*"]] } }]) }
    })
    template.hasResourceProperties("AWS::IAM::Policy", {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Action: "secretsmanager:GetSecretValue",
          Effect: "Allow",
          Resource: [{ Ref: "CdnPrivateKeySecretArn" }, { Ref: "CredentialsSecretArn" }]
        }])
      }
    })
  })

  it("runs the sweep every minute and puts the api behind an HTTP API (payload 2.0) or a Function URL", () => {
    const [sweepId] = functionByDescription("Expires abandoned")
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(1 minute)",
      Targets: [Match.objectLike({ Arn: { "Fn::GetAtt": [sweepId, "Arn"] } })]
    })
    only("AWS::ApiGatewayV2::Api")
    template.hasResourceProperties("AWS::ApiGatewayV2::Integration", { PayloadFormatVersion: "2.0" })
    const withUrl = synth({ api: "functionUrl" })
    withUrl.resourceCountIs("AWS::ApiGatewayV2::Api", 0)
    withUrl.hasResourceProperties("AWS::Lambda::Url", { AuthType: "NONE" })
    withUrl.hasOutput("ApiUrl", { Value: { "Fn::GetAtt": [Match.anyValue(), "FunctionUrl"] } })
  })

  it("alarms on dead letters and on every function's errors, and outputs what clients and operators need", () => {
    template.hasResourceProperties("AWS::CloudWatch::Alarm", { MetricName: "ApproximateNumberOfMessagesVisible", Threshold: 1 })
    assert.lengthOf(Object.values(byType("AWS::CloudWatch::Alarm")).filter((a) => a.Properties.MetricName === "Errors"), 3)
    for (const output of ["ApiUrl", "CdnUrl", "CdnKeyPairId", "BucketName", "TableName"]) template.hasOutput(output, {})
  })
})
