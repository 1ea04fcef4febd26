/**
 * `bankconnect await <session>`: waits for the session to complete, with the webhook first
 * when `--listen` runs a receiver (`Completion.awaitCompletion`), and prints the outcome
 * with each account's typed failure from the session status.
 */
import * as Completion from "@effect-bankconnect/client/Completion"
import * as WebhookServer from "@effect-bankconnect/client/WebhookServer"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as ExitCodes from "../exitCodes.js"
import * as Help from "../help.js"
import * as Shared from "../options.js"
import { Output } from "../output.js"
import * as Format from "../render/format.js"
import * as Json from "../render/json.js"
import * as Runner from "../runner.js"
import { session } from "./progress.js"
import { interval } from "./watch.js"

const deadline = Shared.duration("deadline", "Give up after this long (exit 4), such as 30m").pipe(Options.optional)

const listen = Shared.portValue(
  "listen",
  `Run a webhook receiver on PORT (default ${Shared.defaultWebhookPort}; 0 picks a free one) and take the ` +
    "session's ENRICHMENT_NOTIFICATION first, polling as the fallback"
).pipe(Options.optional)

const webhookWait = Shared.duration("webhook-wait", "With --listen: how long to wait for the webhook before polling")
  .pipe(Options.withDefault(Duration.seconds(30)))

/** The command. */
export const command = Command.make(
  "await",
  { session, deadline, listen, host: Shared.host, secret: Shared.secret, webhookWait, interval, ...Shared.api },
  (args) =>
    Runner.api(
      args,
      Effect.gen(function*() {
        const output = yield* Output
        if (Option.isSome(args.secret)) yield* output.addSecret(Redacted.value(args.secret.value))
        const started = Date.now()
        const options = {
          interval: args.interval,
          webhookWait: args.webhookWait,
          deadline: Option.getOrUndefined(args.deadline)
        }
        const wait = Completion.awaitCompletion(args.session, options)
        const result = yield* Option.match(args.listen, {
          onNone: () =>
            Effect.zipRight(
              args.json
                ? Effect.void
                : output.err(
                  `waiting for session ${args.session} (polling every ${Duration.format(args.interval)})…`
                ),
              wait
            ),
          onSome: (port) =>
            Effect.gen(function*() {
              const server = yield* WebhookServer.serve({
                port,
                host: args.host,
                secret: Option.getOrUndefined(args.secret)
              })
              if (args.json) {
                yield* output.out(JSON.stringify({ type: "listening", url: server.url, port: server.port }))
              } else {
                yield* output.err(
                  `waiting for session ${args.session}: webhooks on ${server.url}, polling as the fallback…`
                )
              }
              return yield* Effect.provideService(wait, WebhookServer.WebhookEvents, server)
            })
        })
        const code = Format.hasFailedAccount(result.status) ? ExitCodes.accountFailed : ExitCodes.success
        if (args.json) {
          yield* output.out(JSON.stringify(Json.outcome(result.progress, result.status, result.via)))
          return code
        }
        const failed = Format.hasFailedAccount(result.status)
        yield* output.out(
          `session ${args.session}: ${failed ? "completed with a failed account" : "completed"} (via ${result.via}, ` +
            `after ${Format.elapsed(Date.now() - started)}); ${Format.counts(result.progress)}`
        )
        for (const account of result.status.accounts) {
          yield* output.out(`  account ${Format.accountName(account)}: ${Format.accountOutcome(account)}`)
        }
        yield* output.out(`  insights available: ${Format.yesNo(result.status.insights_available)}`)
        return code
      })
    )
).pipe(Command.withDescription(Help.describe(
  [
    "Waits for a session to complete and prints the outcome: each account's status and typed failure, from " +
    "the session status. With --listen it runs a webhook receiver and takes the session's " +
    "ENRICHMENT_NOTIFICATION first (register the receiver's public URL with `bankconnect webhook set`), " +
    "polling the progress API as the fallback; completion is always confirmed by the progress API. " +
    "Exits 0 when every account completed, 3 when one failed, 4 past --deadline, 1 on an API or network " +
    "error, 130 on Ctrl-C."
  ],
  [
    ["bankconnect await 0d6a7c55-2f8b-4f7e-b0b5-6a1f0e0c9d11", "poll until it completes"],
    ["bankconnect await s-1 --deadline 30m --json", "give up after 30 minutes; the outcome as a JSON line"],
    ["bankconnect await s-1 --listen 8080 --secret \"$WEBHOOK_SECRET\"", "webhook first, on port 8080"]
  ]
)))
