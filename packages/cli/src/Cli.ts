/**
 * The `bankconnect` command line: its command tree (`@effect/cli`) and `run`, which runs it
 * over a command line and gives the exit code, for the bin, tests and embedding.
 *
 * @since 0.3.0
 */
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import type * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Logger from "effect/Logger"
import * as Ref from "effect/Ref"
import { createRequire } from "node:module"
import * as Ansi from "./internal/ansi.js"
import * as Argv from "./internal/argv.js"
import * as Await from "./internal/commands/await.js"
import * as Initiate from "./internal/commands/initiate.js"
import * as Insights from "./internal/commands/insights.js"
import * as Listen from "./internal/commands/listen.js"
import * as Progress from "./internal/commands/progress.js"
import * as Simulate from "./internal/commands/simulate.js"
import * as Status from "./internal/commands/status.js"
import * as Track from "./internal/commands/track.js"
import * as Watch from "./internal/commands/watch.js"
import * as Webhook from "./internal/commands/webhook.js"
import * as Errors from "./internal/errors.js"
import * as ExitCodes from "./internal/exitCodes.js"
import * as Help from "./internal/help.js"
import * as Output from "./internal/output.js"
import * as Runner from "./internal/runner.js"

/**
 * An exit code: 0 the session completed and every account completed (or the command did
 * what it was asked), 1 an API or network error, 2 bad usage, 3 the session completed with
 * a failed account, 4 `await --deadline` passed, 130 `await` stopped by Ctrl-C.
 *
 * @since 0.3.0
 * @category models
 */
export type ExitCode = ExitCodes.ExitCode

/**
 * The exit codes by name.
 *
 * @since 0.3.0
 * @category constants
 */
export const exitCodes = {
  success: ExitCodes.success,
  failure: ExitCodes.failure,
  usage: ExitCodes.usage,
  accountFailed: ExitCodes.accountFailed,
  deadlinePassed: ExitCodes.deadlinePassed,
  interrupted: ExitCodes.interrupted
} as const

/**
 * The package's version, as `--version` prints it.
 *
 * @since 0.3.0
 * @category constants
 */
export const version: string = (createRequire(import.meta.url)("../package.json") as { version: string }).version

const commands = [
  "progress",
  "watch",
  "await",
  "status",
  "insights",
  "initiate",
  "webhook",
  "listen",
  "simulate",
  "track"
]

/**
 * The command tree: `progress`, `watch`, `await`, `status`, `insights`, `initiate`,
 * `webhook set`, `listen`, `simulate`, `track add|list|remove|run`.
 *
 * @since 0.3.0
 * @category commands
 */
export const command = Command.make("bankconnect", {}, () =>
  Runner.run(
    { json: false, verbose: false },
    Effect.fail(
      new Errors.UsageError({
        message: `a command is missing: one of ${commands.join(", ")}`,
        hint: "see bankconnect --help"
      })
    )
  )).pipe(
    Command.withDescription(Help.describe(
      [
        "FinBox BankConnect from the command line: a session's progress, live; its completion with each " +
        "account's typed failure; its status and insights; the webhook registration; a local webhook receiver " +
        "that prints and forwards; the simulator; a fleet of sessions on the tracker's store. Credentials from " +
        "--api-key and --server-hash or BANKCONNECT_API_KEY and BANKCONNECT_SERVER_HASH, the API from --base-url " +
        "or BANKCONNECT_BASE_URL; they are never printed. Flags go after the command. Exit codes: 0 completed " +
        "(every account), 1 an API or network error, 2 bad usage, 3 completed with a failed account, 4 a " +
        "deadline passed, 130 await stopped by Ctrl-C."
      ],
      [
        ["bankconnect watch 0d6a7c55-2f8b-4f7e-b0b5-6a1f0e0c9d11", "a session, live, until it completes"],
        ["bankconnect await s-1 --deadline 30m --json", "its outcome as a JSON line"],
        ["bankconnect listen --forward-to http://localhost:3000/webhooks", "webhooks, printed and forwarded"],
        ["bankconnect simulate", "a local BankConnect API to try it on"],
        ["bankconnect track add s-1 s-2 && bankconnect track run --until-done", "a fleet, tracked to its outcomes"]
      ]
    )),
    Command.withSubcommands([
      Progress.command,
      Watch.command,
      Await.command,
      Status.command,
      Insights.command,
      Initiate.command,
      Webhook.command,
      Listen.command,
      Simulate.command,
      Track.command
    ])
  )

const cli = Command.run(command, { name: "bankconnect", version })

/** `@effect/cli`'s validation message as one line. */
const validationLine = (error: ValidationError.ValidationError, argv: ReadonlyArray<string>): string => {
  const doc = (error as { readonly error?: HelpDoc.HelpDoc }).error ?? HelpDoc.p("invalid command line")
  // the ANSI text, its escape codes removed
  const text = Errors.oneLine(Ansi.strip(HelpDoc.toAnsiText(doc)))
  const named = Argv.commandOf(argv)
  const help = named.length > 0 && commands.includes(named[0]!)
    ? `bankconnect ${named.join(" ")} --help`
    : "bankconnect --help"
  return `bankconnect: ${text}; see ${help}`
}

/**
 * Runs the command line `argv` (as `process.argv`: the runtime and the script first) and
 * gives its exit code. It never fails: every error is printed as one line on stderr (and a
 * JSON line with `--json`) and becomes its exit code; `@effect/cli`'s validation errors
 * (an unknown flag, a missing argument, an invalid value) exit 2. The credentials it reads,
 * and the secrets given as flags, are never printed: every line written is scrubbed of them.
 * It runs on Node (`NodeContext`); Ctrl-C interrupts it.
 *
 * @example
 * ```ts
 * import { Cli } from "@effect-bankconnect/cli"
 * import { Effect } from "effect"
 *
 * // a missing argument is bad usage: one line on stderr, exit code 2
 * const code = await Effect.runPromise(Cli.run(["node", "bankconnect", "progress"]))
 *
 * assert.strictEqual(code, Cli.exitCodes.usage)
 * ```
 *
 * @since 0.3.0
 * @category running
 */
export const run = (argv: ReadonlyArray<string>): Effect.Effect<ExitCode> =>
  Effect.gen(function*() {
    const output = yield* Output.Output
    // the simulator's own credentials are what `simulate` prints: nothing of the user's is read there
    if (Argv.commandOf(argv)[0] !== "simulate") {
      for (const secret of Argv.secrets(argv)) yield* output.addSecret(secret)
      for (const name of ["BANKCONNECT_API_KEY", "BANKCONNECT_SERVER_HASH"]) {
        const value = process.env[name]
        if (value !== undefined) yield* output.addSecret(value)
      }
    }
    const code = yield* Ref.make<ExitCode>(ExitCodes.success)
    const outcome = yield* cli(Argv.normalize(argv)).pipe(
      Effect.provideService(Runner.ExitCode, code),
      Effect.either
    )
    const captured = yield* output.takeCaptured
    if (Either.isLeft(outcome)) {
      yield* output.err(validationLine(outcome.left, argv))
      return ExitCodes.usage
    }
    for (const line of captured) yield* output.err(line)
    return yield* Ref.get(code)
  }).pipe(
    Effect.catchAllCause((cause) =>
      Cause.isInterruptedOnly(cause) ? Effect.failCause(cause) : Effect.gen(function*() {
        const output = yield* Output.Output
        const error = Cause.squash(cause)
        yield* output.err(
          `bankconnect: unexpected error: ${
            Errors.oneLine(error instanceof Error ? error.message : String(error))
          }; please report it`
        )
        if (argv.includes("--verbose")) yield* output.err(Cause.pretty(cause))
        return ExitCodes.failure
      })
    ),
    Effect.provide(Logger.replaceScoped(Logger.defaultLogger, Effect.map(Output.Output, stderrLogger))),
    (effect) =>
      Effect.flatMap(Output.Output, (output) =>
        Console.consoleWith((base) => Console.withConsole(effect, Output.console(output, base)))),
    Effect.provide(NodeContext.layer),
    Effect.provide(Output.layer),
    Effect.orDie
  )

const stderrLogger = (output: Output.Service) => Logger.map(Logger.logfmtLogger, (line) => output.unsafeErr(line))

/**
 * The exit code when `argv` is stopped by a signal (Ctrl-C, SIGTERM): 130 for `await`,
 * which promised an outcome; 0 for the others, for which it is the way to stop.
 *
 * @since 0.3.0
 * @category running
 */
export const exitCodeOnSignal = (argv: ReadonlyArray<string>): ExitCode => ExitCodes.onSignal(argv.slice(2))
