#!/usr/bin/env node
/**
 * `pnpm simulator [--port N]`: starts the simulator (port 4010 by default), prints what a
 * client needs and two ready sessions, and runs until Ctrl-C.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Simulator from "./Simulator.js"

const usage = "usage: pnpm simulator [--port N]   (N from 0 to 65535; 0 picks a free port; default 4010)"

const parsePort = (args: ReadonlyArray<string>): number | string => {
  let port = 4010
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    const value = arg === "--port" ? args[++i] : arg?.startsWith("--port=") ? arg.slice(7) : undefined
    if (arg === "--help" || arg === "-h") return usage
    if (value === undefined) return `unknown argument ${JSON.stringify(arg)}\n${usage}`
    if (!/^\d+$/.test(value) || Number(value) > 65535) return `invalid port ${JSON.stringify(value)}\n${usage}`
    port = Number(value)
  }
  return port
}

const main = (port: number) =>
  Effect.gen(function*() {
    const simulator = yield* Simulator.make({ port })
    const ready = yield* simulator.createSession({})
    const failing = yield* simulator.createSession({
      accounts: [{ outcome: { status: "failed", errorCode: "INCOMPLETE_MONTHS", months: ["2023-11", "2023-12"] } }]
    })
    yield* Console.log(
      [
        "BankConnect simulator",
        `  base URL:        ${simulator.baseUrl}`,
        `  x-api-key:       ${simulator.apiKey}`,
        `  server-hash:     ${simulator.serverHash}`,
        `  control:         ${simulator.url}/__simulator/`,
        `  ready session:   ${ready.sessionId} (completes about 4 s after start)`,
        `  failing session: ${failing.sessionId} (INCOMPLETE_MONTHS: Nov 2023, Dec 2023)`,
        "Ctrl-C stops it."
      ].join("\n")
    )
    return yield* Effect.never
  }).pipe(
    Effect.scoped,
    Effect.catchTags({
      StartError: (error) => Effect.zipRight(Console.error(error.message), Effect.fail(error)),
      ScenarioError: (error) => Effect.zipRight(Console.error(error.message), Effect.fail(error))
    })
  )

const port = parsePort(process.argv.slice(2))
if (typeof port === "string") {
  console.error(port)
  process.exitCode = port === usage ? 0 : 2
} else {
  NodeRuntime.runMain(main(port), { disablePrettyLogger: true })
}
