/**
 * `bankconnect initiate <session>`: asks BankConnect to process the session's uploads.
 */
import * as BankConnectClient from "@effect-bankconnect/client/BankConnectClient"
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import * as ExitCodes from "../exitCodes.js"
import * as Help from "../help.js"
import * as Shared from "../options.js"
import { Output } from "../output.js"
import * as Runner from "../runner.js"
import { session } from "./progress.js"

/** The command. */
export const command = Command.make(
  "initiate",
  { session, ...Shared.api },
  (args) =>
    Runner.api(
      args,
      Effect.gen(function*() {
        const client = yield* BankConnectClient.BankConnectClient
        const output = yield* Output
        const initiated = yield* client.initiateProcessing(args.session, { duplicateIsSuccess: true })
        if (args.json) {
          yield* output.out(JSON.stringify({
            type: "initiated",
            session_id: initiated.sessionId,
            already_requested: initiated.alreadyRequested
          }))
        } else {
          yield* output.out(
            initiated.alreadyRequested
              ? `processing was already requested for session ${initiated.sessionId}`
              : `processing requested for session ${initiated.sessionId}`
          )
        }
        return ExitCodes.success
      })
    )
).pipe(Command.withDescription(Help.describe(
  [
    "Asks BankConnect to process the statements uploaded to a session (initiate_processing); the session then " +
    "takes no more uploads. A session whose processing was already requested is not an error (exit 0)."
  ],
  [
    ["bankconnect initiate 0d6a7c55-2f8b-4f7e-b0b5-6a1f0e0c9d11", "then `bankconnect watch` it"]
  ]
)))
