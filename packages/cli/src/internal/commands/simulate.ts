/**
 * `bankconnect simulate [--port] [--scenario file.json]`: the simulator
 * (`@effect-bankconnect/simulator`'s `Simulator.make`), with a ready and a failing session,
 * or the sessions of a scenario file, until Ctrl-C.
 */
import type * as Scenario from "@effect-bankconnect/simulator/Scenario"
import type * as Simulator from "@effect-bankconnect/simulator/Simulator"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Errors from "../errors.js"
import * as ExitCodes from "../exitCodes.js"
import * as Help from "../help.js"
import * as Shared from "../options.js"
import { Output } from "../output.js"
import * as Runner from "../runner.js"

const scenario = Options.fileParse("scenario", "json").pipe(
  Options.withPseudoName("FILE"),
  Options.withDescription(
    "A JSON file: a scenario (the simulator's Scenario) or an array of them, one session each, instead of the " +
      "ready and failing sessions"
  ),
  Options.optional
)

/** The sessions made at start, each with what to say about it. */
const defaultSessions: ReadonlyArray<readonly [Scenario.Input, string]> = [
  [{}, "completes about 4 s after start"],
  [
    { accounts: [{ outcome: { status: "failed", errorCode: "INCOMPLETE_MONTHS", months: ["2023-11", "2023-12"] } }] },
    "fails: INCOMPLETE_MONTHS, Nov 2023 and Dec 2023"
  ]
]

const describeSession = (info: Simulator.SessionInfo) =>
  info.completesAt === undefined
    ? info.state
    : `${info.state}, completes about ${Math.round((info.completesAt - info.createdAt) / 1000)} s after start`

/** The command. */
export const command = Command.make(
  "simulate",
  {
    port: Shared.port("port", 4010, "The port to listen on (0 picks a free one)"),
    scenario,
    ...Shared.local
  },
  (args) =>
    Runner.run(
      args,
      Effect.gen(function*() {
        const output = yield* Output
        const scripts = yield* Option.match(args.scenario, {
          onNone: () => Effect.succeed(defaultSessions),
          onSome: (json) =>
            typeof json === "object" && json !== null
              ? Effect.succeed(
                (Array.isArray(json) ? json : [json]).map((input) => [input as Scenario.Input, ""] as const)
              )
              : Effect.fail(
                new Errors.UsageError({
                  message: "--scenario: expected a JSON object (a scenario) or an array of them"
                })
              )
        })
        // loaded here, not with the other commands: only `simulate` needs it
        const Simulators = yield* Effect.promise(() => import("@effect-bankconnect/simulator/Simulator"))
        const simulator = yield* Simulators.make({ port: args.port })
        const sessions = yield* Effect.forEach(scripts, ([input, note]) =>
          Effect.map(
            simulator.createSession(input),
            (info) => ({ info, note: note === "" ? describeSession(info) : note })
          ))
        if (args.json) {
          yield* output.out(JSON.stringify({
            type: "simulator",
            base_url: simulator.baseUrl,
            control_url: `${simulator.url}/__simulator/`,
            port: simulator.port,
            api_key: simulator.apiKey,
            server_hash: simulator.serverHash,
            sessions: sessions.map(({ info }) => ({
              session_id: info.sessionId,
              state: info.state,
              completes_in_ms: info.completesAt === undefined ? null : info.completesAt - info.createdAt
            }))
          }))
        } else {
          yield* output.out(
            [
              "BankConnect simulator",
              `  base URL:     ${simulator.baseUrl}`,
              `  x-api-key:    ${simulator.apiKey}`,
              `  server-hash:  ${simulator.serverHash}`,
              `  control:      ${simulator.url}/__simulator/`,
              ...sessions.map(({ info, note }) => `  session:      ${info.sessionId} (${note})`),
              "Point bankconnect at it (in another shell):",
              `  export BANKCONNECT_BASE_URL=${simulator.baseUrl} BANKCONNECT_API_KEY=${simulator.apiKey} ` +
              `BANKCONNECT_SERVER_HASH=${simulator.serverHash}`,
              "Ctrl-C stops it."
            ].join("\n")
          )
        }
        return yield* Effect.as(Effect.never, ExitCodes.success)
      })
    )
).pipe(Command.withDescription(Help.describe(
  [
    "Runs the BankConnect simulator (@effect-bankconnect/simulator) on 127.0.0.1: the API's paths, bodies and " +
    "error codes, sessions on a script, webhooks delivered to the registered URL. It starts with a session " +
    "that completes and one that fails with INCOMPLETE_MONTHS, or with the sessions of --scenario. Ctrl-C " +
    "stops it (exit 0)."
  ],
  [
    ["bankconnect simulate", "on port 4010"],
    ["bankconnect simulate --port 0 --json", "on a free port; what a client needs as a JSON line"],
    ["bankconnect simulate --scenario sessions.json", "the sessions of sessions.json"]
  ]
)))
