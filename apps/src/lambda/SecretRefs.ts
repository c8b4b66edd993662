/**
 * Secrets by reference: for each secret variable X below, `X_ARN` may name a Secrets Manager secret
 * or an SSM SecureString parameter instead of giving the value. They are fetched once, when a
 * Lambda container initialises, and handed to the configuration as if they were set (`X`).
 * Values are never logged; the ARN is named in errors, the value never. The SDK clients are
 * imported only when a reference is given (a chunk of their own in the bundles): most cold starts
 * without references do not load them.
 */
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Data, Effect } from "effect"

/** Variables whose value may come from a secret store (`<name>_ARN`). */
export const secretVariables = [
  "MEDIA_CDN_PRIVATE_KEY",
  "MEDIA_CURSOR_SECRET",
  "MEDIA_JWT_PUBLIC_KEY",
  "MEDIA_JWT_JWKS_URL",
  // The credentials document itself (JSON): written to a private temp file, MEDIA_AUTH_FILE points at it.
  "MEDIA_AUTH_FILE"
] as const

export class SecretRefError extends Data.TaggedError("SecretRefError")<{
  readonly variable: string
  readonly arn: string
  readonly message: string
  readonly cause?: unknown
}> {}

/** Client settings for the secret stores (tests point them at a loopback stub). */
export interface SecretStoreOptions {
  readonly endpoint?: string
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string }
}

const regionOf = (arn: string): string | undefined => arn.split(":")[3] || undefined

const clientConfigFor = (arn: string, options: SecretStoreOptions) => {
  const region = regionOf(arn)
  return {
    ...(region === undefined ? {} : { region }),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials })
  }
}

const fetchSecret = (variable: string, arn: string, options: SecretStoreOptions) => {
  const service = arn.split(":")[2]
  const clientConfig = clientConfigFor(arn, options)
  const fail = (message: string, cause?: unknown) => new SecretRefError({ variable, arn, message, cause })
  if (service === "secretsmanager") {
    return Effect.acquireUseRelease(
      Effect.tryPromise({
        try: () => import("@aws-sdk/client-secrets-manager"),
        catch: (cause) => fail("loading the Secrets Manager client failed", cause)
      }).pipe(Effect.map((sdk) => ({ sdk, client: new sdk.SecretsManagerClient(clientConfig) }))),
      ({ client, sdk }) =>
        Effect.tryPromise({
          try: (signal) => client.send(new sdk.GetSecretValueCommand({ SecretId: arn }), { abortSignal: signal }),
          catch: (cause) => fail("reading the secret failed", cause)
        }).pipe(Effect.flatMap((out) =>
          out.SecretString === undefined ? Effect.fail(fail("the secret has no string value")) : Effect.succeed(out.SecretString)
        )),
      ({ client }) => Effect.sync(() => client.destroy())
    )
  }
  if (service === "ssm") {
    return Effect.acquireUseRelease(
      Effect.tryPromise({
        try: () => import("@aws-sdk/client-ssm"),
        catch: (cause) => fail("loading the SSM client failed", cause)
      }).pipe(Effect.map((sdk) => ({ sdk, client: new sdk.SSMClient(clientConfig) }))),
      ({ client, sdk }) =>
        Effect.tryPromise({
          // GetParameter takes the parameter's ARN as its name.
          try: (signal) => client.send(new sdk.GetParameterCommand({ Name: arn, WithDecryption: true }), { abortSignal: signal }),
          catch: (cause) => fail("reading the parameter failed", cause)
        }).pipe(Effect.flatMap((out) =>
          out.Parameter?.Value === undefined ? Effect.fail(fail("the parameter has no value")) : Effect.succeed(out.Parameter.Value)
        )),
      ({ client }) => Effect.sync(() => client.destroy())
    )
  }
  return Effect.fail(fail("not a Secrets Manager or SSM Parameter Store ARN"))
}

const writePrivateFile = (content: string) =>
  Effect.sync(() => {
    const dir = mkdtempSync(join(tmpdir(), "media-secret-"))
    const path = join(dir, "credentials.json")
    writeFileSync(path, content, { mode: 0o600 })
    chmodSync(path, 0o600)
    return path
  })

/**
 * `env` with every `X_ARN` of `secretVariables` resolved into `X` (fetched in parallel). A variable
 * set directly wins over its `_ARN`, so a deployment can override one secret without touching the store.
 */
export const resolveSecretRefs = Effect.fn("SecretRefs.resolve")(function*(
  env: Readonly<Record<string, string | undefined>>,
  options: SecretStoreOptions = {}
) {
  const wanted = secretVariables.flatMap((variable) => {
    const arn = env[`${variable}_ARN`]
    return arn === undefined || arn === "" || (env[variable] ?? "") !== "" ? [] : [{ variable, arn }]
  })
  const resolved = yield* Effect.forEach(wanted, ({ arn, variable }) =>
    fetchSecret(variable, arn, options).pipe(
      Effect.flatMap((value) => variable === "MEDIA_AUTH_FILE" ? writePrivateFile(value) : Effect.succeed(value)),
      Effect.map((value) => [variable, value] as const)
    ), { concurrency: "unbounded" })
  if (resolved.length > 0) {
    yield* Effect.logInfo("secrets resolved from their ARNs", { variables: resolved.map(([variable]) => variable) })
  }
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value
  for (const [variable, value] of resolved) out[variable] = value
  return out
})
