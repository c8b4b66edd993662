/**
 * The CDK app: `npm run synth` / `npm run deploy` (after `npm run bundle`). Build-time choices come
 * from CDK context (`-c api=functionUrl`, `-c arch=x64`, `-c processingReservedConcurrency=20`,
 * `-c bundleDir=...`); deploy-time values are the stack's parameters (docs/aws.md).
 */
import { join } from "node:path"
import { App } from "aws-cdk-lib"
import { repoRoot } from "../bundle/bundleLambdas.ts"
import { MediaStack } from "../lib/MediaStack.ts"

const app = new App()
const context = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key)
  return value === undefined ? undefined : String(value)
}
const concurrency = context("processingReservedConcurrency")

new MediaStack(app, context("stackName") ?? "MediaObjectStorage", {
  bundleDir: context("bundleDir") ?? join(repoRoot, "dist", "lambda"),
  architecture: context("arch") === "x64" ? "x64" : "arm64",
  api: context("api") === "functionUrl" ? "functionUrl" : "httpApi",
  ...(concurrency === undefined ? {} : { processingReservedConcurrency: Number(concurrency) })
})
app.synth()
