/**
 * Effect + OpenTelemetry: every call of the client is a span (`BankConnectClient.getProgress`,
 * `BankConnectClient.updateWebhook`, `BankConnectClient.watchProgress`) with the platform's
 * `http.client` spans of its requests under it, credentials redacted. `NodeSdk.layer` wires
 * them to OpenTelemetry; here a `ConsoleSpanExporter` prints them, and the layer flushes
 * them when the program ends. For a collector, use an OTLP exporter instead.
 *
 *   pnpm --filter @effect-bankconnect/examples opentelemetry
 */
import { BankConnectClient } from "@effect-bankconnect/client"
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { BatchSpanProcessor, ConsoleSpanExporter } from "@opentelemetry/sdk-trace-base"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { logLevelLayer } from "./support/logLevel.js"
import { clientLayer, quickSession, target } from "./support/target.js"

const TracingLive = NodeSdk.layer(() => ({
  resource: { serviceName: "bankconnect-example" },
  spanProcessor: new BatchSpanProcessor(new ConsoleSpanExporter())
}))

const program = Effect.gen(function*() {
  // the simulator sends no webhook: nothing listens at the URL registered below
  const t = yield* target({ ...quickSession, webhook: { send: false } })
  const client = yield* Effect.provide(BankConnectClient.BankConnectClient, clientLayer(t))

  const first = yield* client.getProgress(t.sessionId)
  yield* Console.log(`getProgress: ${first.session_progress}`)

  // an API key has one webhook URL: on the real API, only BANKCONNECT_WEBHOOK_URL is registered
  const webhookUrl = Option.isSome(t.simulator)
    ? Option.some("https://lender.example/webhooks/bankconnect")
    : yield* Config.option(Config.string("BANKCONNECT_WEBHOOK_URL"))
  if (Option.isSome(webhookUrl)) {
    yield* client.updateWebhook({ webhookUrl: webhookUrl.value })
    yield* Console.log(`updateWebhook: registered ${webhookUrl.value}`)
  }

  const snapshots = yield* Stream.runCount(client.watchProgress(t.sessionId, { interval: "500 millis" }))
  yield* Console.log(`watchProgress: completed after ${snapshots} snapshots`)
}).pipe(Effect.withSpan("opentelemetry-example"))

NodeRuntime.runMain(program.pipe(Effect.scoped, Effect.provide([FetchHttpClient.layer, TracingLive, logLevelLayer])))
