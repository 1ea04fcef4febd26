/**
 * What every command's handler does around its own work: the log level, the client (for the
 * commands that call the API), and every failure turned into one line on stderr (and a JSON
 * line with `--json`) and an exit code, which it records for the entry point.
 */
import type * as BankConnectClient from "@effect-bankconnect/client/BankConnectClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as Credentials from "./credentials.js"
import * as Errors from "./errors.js"
import type * as ExitCodes from "./exitCodes.js"
import { Output } from "./output.js"

/** Where a handler leaves its exit code for the entry point. */
export class ExitCode
  extends Context.Tag("@effect-bankconnect/cli/ExitCode")<ExitCode, Ref.Ref<ExitCodes.ExitCode>>()
{}

/** The options every handler gets. */
export interface Common {
  readonly json: boolean
  readonly verbose: boolean
}

/** Prints a failure: one line on stderr, and its JSON line on stdout with `--json`. */
export const report = (error: Errors.CliError, json: boolean) =>
  Effect.gen(function*() {
    const output = yield* Output
    const described = Errors.describe(error)
    yield* output.err(Errors.text(described))
    if (json) yield* output.out(JSON.stringify(Errors.json(described)))
    return described.exitCode
  })

/** Runs a handler's work: its log level, its failures reported, its exit code recorded. */
export const run = <R>(
  common: Common,
  work: Effect.Effect<ExitCodes.ExitCode, Errors.CliError, R>
): Effect.Effect<void, never, Exclude<R, Scope.Scope> | Output | ExitCode> =>
  Effect.gen(function*() {
    const code = yield* work.pipe(
      Effect.scoped,
      Effect.catchAll((error) => report(error, common.json)),
      Logger.withMinimumLogLevel(common.verbose ? LogLevel.Debug : LogLevel.Warning)
    )
    yield* Ref.set(yield* ExitCode, code)
  })

/** Runs the work of a command that calls the API, with the client built from the flags and environment. */
export const api = <R>(
  common: Common & Credentials.Flags,
  work: Effect.Effect<ExitCodes.ExitCode, Errors.CliError, R>
): Effect.Effect<
  void,
  never,
  Exclude<Exclude<R, BankConnectClient.BankConnectClient>, Scope.Scope> | Output | ExitCode
> => run(common, Effect.flatMap(Credentials.clientLayer(common), (layer) => Effect.provide(work, layer)))
