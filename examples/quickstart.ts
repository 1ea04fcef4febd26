/**
 * Quick start: register a webhook URL, then watch a session's progress until it completes.
 *
 * With no environment it runs against the simulator (`@effect-bankconnect/simulator`). With
 * BANKCONNECT_API_KEY, BANKCONNECT_SERVER_HASH and BANKCONNECT_SESSION_ID set it watches a
 * real session (and registers BANKCONNECT_WEBHOOK_URL only when that is set, since an API
 * key has one webhook URL).
 *
 *   pnpm demo
 */
import { BankConnectClient, Progress } from "@effect-bankconnect/client"
import { Simulator } from "@effect-bankconnect/simulator"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"

/** Prints one snapshot: the summary, then a line per statement. */
const show = (progress: Progress.SessionProgress) =>
  Console.log(
    [
      Progress.summary(progress),
      ...progress.progress.map((statement) =>
        `  ${statement.statement_id ?? "(no id)"}: ${Progress.outcome(statement)}` +
        ` (${Progress.stages.map((stage) => `${stage.replace("_status", "")} ${statement[stage] ?? "-"}`).join(", ")})`
      )
    ].join("\n")
  )

const watch = (sessionId: string, webhookUrl: Option.Option<string>) =>
  Effect.gen(function*() {
    const client = yield* BankConnectClient.BankConnectClient
    if (Option.isSome(webhookUrl)) {
      yield* client.updateWebhook({ webhookUrl: webhookUrl.value })
      yield* Console.log(`webhook registered: ${webhookUrl.value}`)
    }
    const last = yield* client.watchProgress(sessionId).pipe(
      Stream.tap(show),
      Stream.runLast
    )
    const failed = Option.match(last, { onNone: () => [], onSome: Progress.failedStatements })
    yield* Console.log(failed.length === 0 ? "done: every statement processed" : `done: ${failed.length} failed`)
  })

const local = Effect.gen(function*() {
  const simulator = yield* Simulator.make()
  // two statements, the second starting a second after the first, one second per stage
  const { sessionId } = yield* simulator.createSession({ accounts: [{ statements: 2 }], staggerMillis: 1000 })
  yield* Console.log(`simulator at ${simulator.baseUrl}, session ${sessionId}`)
  yield* watch(sessionId, Option.some("https://lender.example/webhooks/bankconnect")).pipe(
    Effect.provide(BankConnectClient.layer({
      apiKey: Redacted.make(simulator.apiKey),
      serverHash: Redacted.make(simulator.serverHash),
      baseUrl: simulator.baseUrl
    }))
  )
})

const real = (sessionId: string) =>
  Effect.gen(function*() {
    const webhookUrl = yield* Config.option(Config.string("BANKCONNECT_WEBHOOK_URL"))
    yield* watch(sessionId, webhookUrl).pipe(Effect.provide(BankConnectClient.layerConfig()))
  })

const main = Effect.gen(function*() {
  const sessionId = yield* Config.option(Config.string("BANKCONNECT_SESSION_ID"))
  yield* Option.match(sessionId, { onNone: () => local, onSome: real })
}).pipe(
  Effect.scoped,
  Effect.provide(FetchHttpClient.layer)
)

NodeRuntime.runMain(main)
