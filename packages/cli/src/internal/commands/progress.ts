/**
 * `bankconnect progress <session>`: one snapshot.
 */
import * as BankConnectClient from "@effect-bankconnect/client/BankConnectClient"
import * as Progress from "@effect-bankconnect/client/Progress"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import * as ExitCodes from "../exitCodes.js"
import * as Help from "../help.js"
import * as Shared from "../options.js"
import { Output } from "../output.js"
import * as Block from "../render/block.js"
import * as Json from "../render/json.js"
import * as Runner from "../runner.js"

/** The `session` argument. */
export const session = Args.text({ name: "session" }).pipe(Args.withDescription("The session id"))

/** The view's style on this output: colors and Unicode on a terminal only. */
export const styleOf = (
  output: { readonly color: boolean; readonly isTTY: boolean; readonly columns: () => number }
): Block.Style => ({
  color: output.color,
  unicode: output.isTTY,
  shortIds: output.isTTY && output.columns() < 120
})

/** The command. */
export const command = Command.make(
  "progress",
  { session, ...Shared.api },
  (args) =>
    Runner.api(
      args,
      Effect.gen(function*() {
        const client = yield* BankConnectClient.BankConnectClient
        const output = yield* Output
        const snapshot = yield* client.getProgress(args.session)
        if (args.json) {
          yield* output.out(JSON.stringify(Json.progress(snapshot)))
        } else {
          const view = {
            sessionId: snapshot.session_id,
            progress: snapshot,
            status: undefined,
            error: undefined,
            confirming: false
          }
          for (const line of Block.lines(view, styleOf(output))) yield* output.out(line)
        }
        return Progress.isComplete(snapshot) && Progress.failedStatements(snapshot).length > 0
          ? ExitCodes.accountFailed
          : ExitCodes.success
      })
    )
).pipe(Command.withDescription(Help.describe(
  [
    "One progress snapshot of a session: each statement's four stages (identity, transaction, processing, " +
    "fraud). Exits 3 when the session completed with a failed statement, 0 otherwise."
  ],
  [
    ["bankconnect progress 0d6a7c55-2f8b-4f7e-b0b5-6a1f0e0c9d11", "the snapshot, for people"],
    ["bankconnect progress 0d6a7c55-2f8b-4f7e-b0b5-6a1f0e0c9d11 --json", "one JSON line"]
  ]
)))
