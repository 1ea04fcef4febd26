/**
 * The exit codes of `bankconnect`: one place decides them, the commands and the entry point ask.
 */

/** The session completed and every account completed; or the command did what it was asked. */
export const success = 0

/** An API or network error: an error answer, no answer, an answer that is not the API's, a port in use. */
export const failure = 1

/** Bad usage: an unknown flag or command, a missing argument, an invalid value, missing credentials. */
export const usage = 2

/** The session completed with a failed account (or, for a progress snapshot, a failed statement). */
export const accountFailed = 3

/** `await --deadline`: the deadline passed before the session completed. */
export const deadlinePassed = 4

/** Ctrl-C (SIGINT) or SIGTERM on `await`: it stopped before it had an outcome (128 + SIGINT). */
export const interrupted = 130

/** An exit code: one of the above. */
export type ExitCode = number

/**
 * The code of several outcomes together (`watch` of several sessions): bad usage first, then
 * an error, a passed deadline, a failed account, success.
 */
export const combine = (codes: Iterable<ExitCode>): ExitCode => {
  let worst: ExitCode = success
  const rank = (code: ExitCode) =>
    code === usage ? 5 : code === failure ? 4 : code === deadlinePassed ? 3 : code === accountFailed ? 2 : 0
  for (const code of codes) if (rank(code) > rank(worst)) worst = code
  return worst
}

/**
 * The code when the process is stopped by a signal: `await` promised an outcome and has
 * none (130), the other commands are stopped that way as their normal end (`watch`,
 * `listen`, `simulate`: 0), so that `pnpm bankconnect` does not report a failure.
 */
export const onSignal = (args: ReadonlyArray<string>): ExitCode => {
  const command = args.find((arg) => !arg.startsWith("-"))
  return command === "await" ? interrupted : success
}
