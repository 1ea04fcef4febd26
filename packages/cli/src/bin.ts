#!/usr/bin/env node
/**
 * `bankconnect`: runs the command line and exits with its code. Ctrl-C (SIGINT) or SIGTERM
 * interrupts the command, which stops cleanly (no stack trace); the code is then 0, or 130
 * for `await`. A second Ctrl-C within a second is ignored (the terminal, `pnpm` and `tsx`
 * each pass the first one on, so one keypress arrives several times); a later one exits at
 * once with 130.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Exit from "effect/Exit"
import * as Cli from "./Cli.js"

let firstSignal: number | undefined
const onRepeatedSignal = () => {
  if (firstSignal === undefined) firstSignal = Date.now()
  else if (Date.now() - firstSignal > 1000) process.exit(Cli.exitCodes.interrupted)
}
process.on("SIGINT", onRepeatedSignal)
process.on("SIGTERM", onRepeatedSignal)

NodeRuntime.runMain(Cli.run(process.argv), {
  disableErrorReporting: true,
  disablePrettyLogger: true,
  teardown: (exit, onExit) => onExit(Exit.isSuccess(exit) ? Number(exit.value) : Cli.exitCodeOnSignal(process.argv))
})
