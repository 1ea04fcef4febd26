/**
 * `bankconnect insights <session> [--out file]`: a summary on stdout; the full insights, as
 * JSON, in the file. The summary holds no personal data but the bank and a masked account
 * number, and no report link (they are bearer credentials): those are in the file.
 */
import * as BankConnectClient from "@effect-bankconnect/client/BankConnectClient"
import * as Insights from "@effect-bankconnect/client/Insights"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Errors from "../errors.js"
import * as ExitCodes from "../exitCodes.js"
import * as Help from "../help.js"
import * as Shared from "../options.js"
import { Output } from "../output.js"
import * as Format from "../render/format.js"
import * as Runner from "../runner.js"
import { session } from "./progress.js"

const out = Options.text("out").pipe(
  Options.withPseudoName("FILE"),
  Options.withDescription("Write the full insights (JSON) to FILE; it holds personal data and report links"),
  Options.optional
)

/** An account's summary: what it covers, no personal data but the bank and a masked number. */
const accountSummary = (account: Insights.Account) => {
  const data = account.data
  const details = data.account_details
  const months = [...(details?.months ?? [])].sort()
  return {
    account_id: account.account_id,
    bank: details?.bank ?? null,
    account_number: Format.mask(details?.account_number ?? null),
    months,
    transactions: data.transactions.length,
    salary_transactions: data.salary_transactions.length,
    fraud: data.fraud.length
  }
}

const kilobytes = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`

/** The command. */
export const command = Command.make(
  "insights",
  { session, out, ...Shared.api },
  (args) =>
    Runner.api(
      args,
      Effect.gen(function*() {
        const client = yield* BankConnectClient.BankConnectClient
        const output = yield* Output
        const insights = yield* client.getInsights(args.session)
        const written = yield* Option.match(args.out, {
          onNone: () => Effect.succeed(Option.none<{ readonly path: string; readonly bytes: number }>()),
          onSome: (path) =>
            Effect.gen(function*() {
              const fs = yield* FileSystem.FileSystem
              const encoded = yield* Effect.orDie(Schema.encode(Insights.Insights)(insights))
              const text = JSON.stringify(encoded, null, 2) + "\n"
              yield* fs.writeFileString(path, text).pipe(
                Effect.mapError((error) => new Errors.FileError({ path, message: error.message }))
              )
              return Option.some({ path, bytes: Buffer.byteLength(text) })
            })
        })
        const accounts = insights.accounts.map(accountSummary)
        const range = insights.session_date_range
        if (args.json) {
          yield* output.out(JSON.stringify({
            type: "insights",
            session_id: insights.session_id,
            link_id: insights.link_id,
            date_range: range === null ? null : { from: range.from_date, to: range.to_date },
            accounts,
            out: Option.match(written, { onNone: () => null, onSome: (file) => file.path }),
            bytes: Option.match(written, { onNone: () => null, onSome: (file) => file.bytes })
          }))
          return ExitCodes.success
        }
        const window = range === null ? "" : `, ${range.from_date ?? "?"} to ${range.to_date ?? "?"}`
        yield* output.out(
          `session ${insights.session_id}${
            insights.link_id === null ? "" : ` (link ${insights.link_id})`
          }${window}: ${accounts.length} account${accounts.length === 1 ? "" : "s"}`
        )
        for (const account of accounts) {
          const covered = account.months.length === 0
            ? "no months"
            : `${account.months.length} month${account.months.length === 1 ? "" : "s"} (${account.months[0]} to ${
              account.months[account.months.length - 1]
            })`
          yield* output.out(
            `  account ${
              Format.accountName({
                account_id: account.account_id,
                bank_name: account.bank,
                account_number: account.account_number
              })
            }: ${covered}, ${account.transactions} transactions, ${account.salary_transactions} salary, ${account.fraud} fraud signals`
          )
        }
        yield* Option.match(written, {
          onNone: () => output.out("the full insights: pass --out FILE"),
          onSome: (file) => output.out(`the full insights: ${file.path} (${kilobytes(file.bytes)})`)
        })
        return ExitCodes.success
      })
    )
).pipe(Command.withDescription(Help.describe(
  [
    "The insights of a completed session: a summary per account on stdout (bank, masked number, months, " +
    "transactions), and with --out the full insights as JSON in a file (it holds personal data and the report " +
    "links, which are bearer credentials valid for an hour)."
  ],
  [
    ["bankconnect insights 0d6a7c55-2f8b-4f7e-b0b5-6a1f0e0c9d11", "the summary"],
    ["bankconnect insights s-1 --out insights.json", "the summary, and everything in insights.json"]
  ]
)))
