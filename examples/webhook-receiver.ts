/**
 * Effect: receive BankConnect's webhooks in your own HttpServer, with `Webhook.httpApp`
 * mounted on a route. Registers the URL (on the simulator, or with BANKCONNECT_WEBHOOK_URL
 * on the real API), then waits for the session's ENRICHMENT_NOTIFICATION.
 *
 *   pnpm --filter @effect-bankconnect/examples webhook-receiver
 */
import { BankConnectClient, Webhook } from "@effect-bankconnect/client"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { createServer } from "node:http"
import { logLevelLayer } from "./support/logLevel.js"
import { clientLayer, target } from "./support/target.js"

const program = Effect.gen(function*() {
  const t = yield* target()
  const done = yield* Deferred.make<Webhook.EnrichmentNotification>()

  const receiver = Webhook.httpApp({
    onEvent: (event) =>
      Effect.gen(function*() {
        yield* Console.log(`received ${event.event_name}`)
        if (event._tag === "EnrichmentNotification" && event.session_id === t.sessionId) {
          yield* Deferred.succeed(done, event)
        }
      }),
    onInvalid: ({ error }) => Console.log(`refused a delivery: ${error.message}`)
  })
  const router = HttpRouter.empty.pipe(HttpRouter.post("/webhooks/bankconnect", receiver))

  const port = yield* Config.integer("WEBHOOK_PORT").pipe(Config.withDefault(0))
  const server = yield* Layer.build(NodeHttpServer.layer(createServer, { port, host: "127.0.0.1" })).pipe(
    Effect.map(Context.get(HttpServer.HttpServer))
  )
  yield* server.serve(router)
  const address = server.address as HttpServer.TcpAddress
  const localUrl = `http://127.0.0.1:${address.port}/webhooks/bankconnect`
  yield* Console.log(`listening on ${localUrl}`)

  const webhookUrl = Option.isSome(t.simulator)
    ? localUrl
    : yield* Config.string("BANKCONNECT_WEBHOOK_URL") // your public URL that reaches this server
  const client = yield* Effect.provide(BankConnectClient.BankConnectClient, clientLayer(t))
  yield* client.updateWebhook({ webhookUrl })

  const event = yield* Deferred.await(done)
  for (const account of event.accounts) {
    yield* Console.log(
      `account ${account.account_id}: ${account.account_status}${account.failure ? ` (${account.failure.code})` : ""}`
    )
  }
})

NodeRuntime.runMain(program.pipe(Effect.scoped, Effect.provide([FetchHttpClient.layer, logLevelLayer])))
