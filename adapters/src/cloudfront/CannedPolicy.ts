/**
 * The canned policy CloudFront signs for a URL with `Expires`: this exact
 * JSON, byte for byte (what CloudFront recomputes, and what
 * `@aws-sdk/cloudfront-signer` builds). Shared by the signer and the verifier.
 */
export const cannedPolicy = (resource: string, expires: number | string): string =>
  `{"Statement":[{"Resource":${JSON.stringify(resource)},"Condition":{"DateLessThan":{"AWS:EpochTime":${expires}}}}]}`
