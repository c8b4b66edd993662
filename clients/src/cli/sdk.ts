/** Calls into the Promise SDK as Effects: interruption aborts the call, rejections become one-line `CliFailure`s. */
import { Effect } from "effect"
import { fromUnknown } from "./CliFailure.ts"

export const call = <A>(f: (signal: AbortSignal) => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: fromUnknown })

/** Every item of an async iterable, in order. */
export const collectAll = <A>(iterable: (signal: AbortSignal) => AsyncIterable<A>) =>
  call(async (signal) => {
    const all: Array<A> = []
    for await (const a of iterable(signal)) all.push(a)
    return all
  })
