/**
 * `bankconnect status <session>`: the session status, each account with its typed failure
 * and its statements.
 */
import * as BankConnectClient from "@effect-bankconnect/client/BankConnectClient"
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import * as ExitCodes from "../exitCodes.js"
import * as Help from "../help.js"
import * as Shared from "../options.js"
import { Output } from "../output.js"
import * as Format from "../render/format.js"
import * as Json from "../render/json.js"
import * as Runner from "../runner.js"
import { session } from "./progress.js"

/** The command. */
export const command = Command.make(
  "status",
  { session, ...Shared.api },
  (args) =>
    Runner.api(
      args,
      Effect.gen(function*() {
        const client = yield* BankConnectClient.BankConnectClient
        const output = yield* Output
        const status = yield* client.getSessionStatus(args.session)
        const failed = Format.hasFailedAccount(status)
        if (args.json) {
          yield* output.out(JSON.stringify(Json.status(status)))
        } else {
          yield* output.out(
            `session ${status.session_id}: ${
              failed ? "completed with a failed account" : "completed"
            }, ${status.accounts.length} account${status.accounts.length === 1 ? "" : "s"}, insights available: ${
              Format.yesNo(status.insights_available)
            }`
          )
          for (const account of status.accounts) {
            const details = [account.account_type, account.full_bank_name].filter((x) => x !== null)
            yield* output.out(
              `  account ${Format.accountName(account)}${details.length > 0 ? ` ${details.join(", ")}` : ""}: ${
                Format.accountOutcome(account)
              }`
            )
            for (const statement of account.statements) {
              const error = statement.error_code === null
                ? ""
                : ` ${statement.error_code}${statement.error_message === null ? "" : `: ${statement.error_message}`}`
              yield* output.out(
                `    statement ${statement.statement_id ?? "(no id)"}${
                  statement.source === null ? "" : ` (${statement.source})`
                }: ${statement.statement_status ?? "unknown"}${error}`
              )
            }
          }
        }
        return failed ? ExitCodes.accountFailed : ExitCodes.success
      })
    )
).pipe(Command.withDescription(Help.describe(
  [
    "The session status once processing completed: each account's outcome with its typed failure (the " +
    "months missing for INCOMPLETE_MONTHS, the days for INCOMPLETE_DATES_UPLOAD, ...) and its statements. " +
    "Exits 0 when every account completed, 3 when one failed, 1 on an API error (PROCESSING_NOT_COMPLETED " +
    "while it still runs)."
  ],
  [
    ["bankconnect status 0d6a7c55-2f8b-4f7e-b0b5-6a1f0e0c9d11", "the accounts and statements"],
    ["bankconnect status s-1 --json | jq '.accounts[].failure'", "each account's typed failure"]
  ]
)))
