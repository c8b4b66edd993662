/**
 * CloudFront custom policies (the `Policy` parameter): one statement with a
 * Resource that may use `*` / `?` wildcards and a DateLessThan, optionally a
 * DateGreaterThan. IP conditions are refused: the download route does not
 * trust a client address it could check them against.
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

/** CloudFront's resource match: `*` is any run of characters, `?` exactly one; everything else literal. */
export const resourceMatches = (pattern: string, resource: string): boolean => {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")
  return new RegExp(`^${source}$`, "s").test(resource)
}
