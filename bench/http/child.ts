/**
 * A server in a child process, so the load generator gets its own core:
 * forked with an IPC channel, ready when it sends its first message.
 */
import { type ChildProcess, fork } from "node:child_process"

export interface Child<M> {
  readonly message: M
  readonly process: ChildProcess
  /** SIGINT (so `--cpu-prof` can write its profile), SIGKILL after 10 s. */
  readonly stop: () => Promise<void>
}

export interface ChildOptions {
  readonly env?: Readonly<Record<string, string>>
  readonly execArgv?: ReadonlyArray<string>
  /** Where the child's stdout goes; ignored by default (access logs). */
  readonly stdout?: "ignore" | "inherit"
  readonly startTimeoutMs?: number
}

export const startChild = <M>(script: string, options: ChildOptions = {}): Promise<Child<M>> =>
  new Promise((resolve, reject) => {
    const child = fork(script, [], {
      env: { ...process.env, ...options.env },
      execArgv: [...(options.execArgv ?? [])],
      stdio: ["ignore", options.stdout ?? "ignore", "inherit", "ipc"]
    })
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`${script} did not start within ${options.startTimeoutMs ?? 60_000} ms`))
    }, options.startTimeoutMs ?? 60_000)
    child.once("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`${script} exited with ${code} before it was ready`))
    })
    child.once("message", (message) => {
      clearTimeout(timer)
      const stop = () =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done()
          const kill = setTimeout(() => child.kill("SIGKILL"), 10_000)
          child.once("exit", () => {
            clearTimeout(kill)
            done()
          })
          child.kill("SIGINT")
        })
      resolve({ message: message as M, process: child, stop })
    })
  })
