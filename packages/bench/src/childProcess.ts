/**
 * Runs a bench script in a child process (through tsx), so what it measures is not mixed
 * with the parent's heap and CPU: the child sends one message when it is ready or done.
 */
import { type ChildProcess, fork } from "node:child_process"
import { fileURLToPath } from "node:url"

export interface Child<A> {
  readonly process: ChildProcess
  /** The child's first message. */
  readonly message: Promise<A>
  /** Stops the child and waits for it to exit. */
  readonly stop: () => Promise<void>
}

/** Starts `script` (a file next to this one) with `args`. */
export const start = <A>(
  script: string,
  args: ReadonlyArray<string> = [],
  nodeOptions: ReadonlyArray<string> = []
): Child<A> => {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), [...args], {
    execArgv: ["--import", "tsx", ...nodeOptions]
  })
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  const message = new Promise<A>((resolve, reject) => {
    child.once("message", (message) => resolve(message as A))
    child.once("error", reject)
    child.once("exit", (code) => reject(new Error(`${script} exited with code ${code} before reporting`)))
  })
  // a rejection nobody awaits yet must not crash the parent
  message.catch(() => {})
  return {
    process: child,
    message,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill()
      return exited
    }
  }
}

/** Sends `message` to a started child and gives its next message. */
export const ask = <A>(child: Child<unknown>, message: string): Promise<A> =>
  new Promise<A>((resolve, reject) => {
    const onExit = () => reject(new Error(`the child exited before answering ${message}`))
    child.process.once("message", (answer) => {
      child.process.off("exit", onExit)
      resolve(answer as A)
    })
    child.process.once("exit", onExit)
    child.process.send(message)
  })

/** Runs `script` to its one report, then stops it. */
export const run = async <A>(
  script: string,
  args: ReadonlyArray<string> = [],
  nodeOptions: ReadonlyArray<string> = []
): Promise<A> => {
  const child = start<A>(script, args, nodeOptions)
  try {
    return await child.message
  } finally {
    await child.stop()
  }
}
