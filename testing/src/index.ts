export * as Arbitraries from "./arbitraries.ts"
export * as Laws from "./laws.ts"
