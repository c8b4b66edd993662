/**
 * CloudFront custom policies (the `Policy` parameter): one statement with a
 * Resource that may use `*` / `?` wildcards and a DateLessThan, optionally a
 * DateGreaterThan. The signer makes them (`customPolicy`), the verifier reads
 * them (`parseCustomPolicy`). IP conditions are refused: the download route
 * does not trust a client address it could check them against.
 */
import { Option, Schema } from "effect"

const EpochTime = Schema.Struct({ "AWS:EpochTime": Schema.Int.check(Schema.isGreaterThan(0)) })

const PolicyDocument = Schema.Struct({
  Statement: Schema.Tuple([
    Schema.Struct({
      Resource: Schema.String,
      Condition: Schema.Struct({
        DateLessThan: EpochTime,
        DateGreaterThan: Schema.optionalKey(EpochTime)
      })
    })
  ])
})

export interface CustomPolicy {
  readonly resource: string
  readonly dateLessThan: number
  readonly dateGreaterThan: number | undefined
}

const decodePolicy = Schema.decodeUnknownOption(Schema.fromJsonString(PolicyDocument), { onExcessProperty: "error" })

/** The policy's single statement; undefined for anything else (several statements, IP conditions, unknown keys). */
export const parseCustomPolicy = (json: string): CustomPolicy | undefined => {
  const decoded = decodePolicy(json)
  if (Option.isNone(decoded)) return undefined
  const [statement] = decoded.value.Statement
  return {
    resource: statement.Resource,
    dateLessThan: statement.Condition.DateLessThan["AWS:EpochTime"],
    dateGreaterThan: statement.Condition.DateGreaterThan?.["AWS:EpochTime"]
  }
}

/**
 * The policy JSON the signer signs for `resource` (a URL, `*` / `?` wildcards allowed) until `expires`
 * (UNIX seconds): the same bytes `@aws-sdk/cloudfront-signer` signs when given this string as `policy`.
 */
export const customPolicy = (resource: string, expires: number): string =>
  `{"Statement":[{"Resource":${JSON.stringify(resource)},"Condition":{"DateLessThan":{"AWS:EpochTime":${expires}}}}]}`

/**
 * CloudFront's resource match (`*` any run of characters, `?` exactly one, everything else literal),
 * with one deliberate difference: a wildcard never matches `?`, so it cannot reach into the query
 * string. CloudFront matches the whole URL, query included, so there a Resource of `https://cdn/`, `*`,
 * `/a/f/1.jpg` also covers `https://cdn/images/b/g/1.jpg?x=/a/f/1.jpg` (another file's object): in front
 * of S3 the distribution must refuse extra query parameters itself (see docs/security.md). Here the
 * match only ever refuses more than CloudFront's.
 */
export const resourceMatches = (pattern: string, resource: string): boolean => {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/[*?]/g, (w) => w === "*" ? "[^?]*" : "[^?]")
  return new RegExp(`^${source}$`, "s").test(resource)
}
