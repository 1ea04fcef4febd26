/**
 * Register the URL BankConnect posts its webhooks to. An API key has one URL, so against
 * the real API this runs only with BANKCONNECT_WEBHOOK_URL set.
 *
 *   pnpm --filter @effect-bankconnect/examples register-webhook
 */
import { BankConnectClient } from "@effect-bankconnect/client"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { logLevelLayer } from "./support/logLevel.js"
import { clientLayer, target } from "./support/target.js"

const program = Effect.gen(function*() {
  const t = yield* target()
  const webhookUrl = yield* Config.string("BANKCONNECT_WEBHOOK_URL").pipe(
    Config.withDefault("https://lender.example/webhooks/bankconnect")
  )
  if (Option.isNone(t.simulator) && webhookUrl === "https://lender.example/webhooks/bankconnect") {
    return yield* Console.log("set BANKCONNECT_WEBHOOK_URL to register a URL with the real API")
  }
  const client = yield* Effect.provide(BankConnectClient.BankConnectClient, clientLayer(t))
  // webhookMode 1 (the default here): notify for PDF uploads too, not only net banking
  yield* client.updateWebhook({ webhookUrl }).pipe(
    Effect.catchTag("InvalidArgument", (error) => Effect.dieMessage(error.message))
  )
  yield* Console.log(`registered ${webhookUrl}`)
  if (Option.isSome(t.simulator)) {
    const registered = yield* t.simulator.value.webhook
    yield* Console.log(`the simulator now posts to ${Option.getOrThrow(registered).url}`)
  }
})

NodeRuntime.runMain(program.pipe(Effect.scoped, Effect.provide([FetchHttpClient.layer, logLevelLayer])))
