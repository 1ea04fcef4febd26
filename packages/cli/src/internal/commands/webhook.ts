/**
 * `bankconnect webhook set <url> [--mode 0|1]`: registers the URL BankConnect posts its
 * webhooks to.
 */
import * as BankConnectClient from "@effect-bankconnect/client/BankConnectClient"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Effect from "effect/Effect"
import * as Errors from "../errors.js"
import * as ExitCodes from "../exitCodes.js"
import * as Help from "../help.js"
import * as Shared from "../options.js"
import { Output } from "../output.js"
import * as Runner from "../runner.js"

const mode = Options.integer("mode").pipe(
  Options.withPseudoName("0|1"),
  Options.withDescription("1: every session, PDF uploads included (the default); 0: net-banking sessions only"),
  Options.mapEffect((value) =>
    value === 0 || value === 1
      ? Effect.succeed<0 | 1>(value)
      : Effect.fail(ValidationError.invalidValue(HelpDoc.p(`--mode: expected 0 or 1, got ${value}`)))
  ),
  Options.withDefault<0 | 1>(1)
)

const set = Command.make(
  "set",
  { url: Args.text({ name: "url" }).pipe(Args.withDescription("An absolute http(s) URL")), mode, ...Shared.api },
  (args) =>
    Runner.api(
      args,
      Effect.gen(function*() {
        const client = yield* BankConnectClient.BankConnectClient
        const output = yield* Output
        const webhookMode = args.mode
        yield* client.updateWebhook({ webhookUrl: args.url, webhookMode })
        if (args.json) {
          yield* output.out(JSON.stringify({ type: "webhook", webhook_url: args.url, webhook_mode: webhookMode }))
        } else {
          yield* output.out(
            `webhook registered: ${args.url} (mode ${webhookMode}: ${
              webhookMode === 1 ? "every session" : "net-banking sessions only"
            })`
          )
        }
        return ExitCodes.success
      })
    )
).pipe(Command.withDescription(Help.describe(
  [
    "Registers the URL BankConnect posts its webhooks to: one per API key, replacing the one before. Mode 1 " +
    "(the default) notifies for every session, mode 0 for net-banking sessions only."
  ],
  [
    ["bankconnect webhook set https://lender.example/webhooks/bankconnect", "every session"],
    ["bankconnect webhook set https://lender.example/hooks --mode 0", "net-banking sessions only"]
  ]
)))

/** The command: `webhook` and its subcommand `set`. */
export const command = Command.make("webhook", {}, () =>
  Runner.run(
    { json: false, verbose: false },
    Effect.fail(new Errors.UsageError({ message: "a subcommand is missing: set", hint: "see webhook --help" }))
  )).pipe(
    Command.withDescription(Help.describe(
      ["The webhook registration."],
      [["bankconnect webhook set https://lender.example/webhooks/bankconnect --mode 1", "register a URL"]]
    )),
    Command.withSubcommands([set])
  )
