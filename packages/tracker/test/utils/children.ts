/**
 * Child processes for the tests that need real ones (the restart and replicas tests): a
 * script of `test/utils/` forked under tsx, its next IPC message awaited, its exit.
 */
import { type ChildProcess, fork } from "node:child_process"
import { fileURLToPath } from "node:url"

/** Forks `test/utils/<name>` with an IPC channel, its output the test's. */
export const start = (name: string, args: ReadonlyArray<string>): ChildProcess =>
  fork(fileURLToPath(new URL(`./${name}`, import.meta.url)), [...args], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"]
  })

/** The child's next IPC message, or a failure naming `what` after `timeoutMs` or at its exit. */
export const nextMessage = <A>(child: ChildProcess, timeoutMs: number, what: string) =>
  new Promise<A>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no message within ${timeoutMs} ms`)), timeoutMs)
    child.once("message", (message) => {
      clearTimeout(timer)
      resolve(message as A)
    })
    child.once("exit", (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`${what}: exited (${code ?? signal}) before reporting`))
    })
  })

/** Resolves once the child has exited. */
export const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once("exit", () => resolve())
  })

export const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))
