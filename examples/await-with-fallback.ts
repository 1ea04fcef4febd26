/**
 * Effect: wait for completion with the webhook first and polling as the fallback
 * (`Completion.awaitCompletion` with `Webhook.layer`). The webhook is trusted only after a
 * progress call confirms it; with no webhook in time, it polls every 2 seconds.
 *
 *   pnpm --filter @effect-bankconnect/examples await-with-fallback
 */
import { BankConnectClient, Completion, Webhook } from "@effect-bankconnect/client"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { logLevelLayer } from "./support/logLevel.js"
import { clientLayer, quickSession, target } from "./support/target.js"

const program = Effect.gen(function*() {
  const t = yield* target({
    ...quickSession,
    accounts: [{ outcome: { status: "failed", errorCode: "INCOMPLETE_MONTHS", months: ["2023-11", "2023-12"] } }]
  })
  yield* Effect.gen(function*() {
    const receiver = yield* Webhook.WebhookEvents
    if (Option.isSome(t.simulator)) {
      // on the real API, register your public URL once (see register-webhook.ts)
      const client = yield* BankConnectClient.BankConnectClient
      yield* client.updateWebhook({ webhookUrl: receiver.url })
    }
    const result = yield* Completion.awaitCompletion(t.sessionId, { webhookWait: "1 minute", deadline: "30 minutes" })
    yield* Console.log(`completed (seen by ${result.via})`)
    for (const notification of Option.toArray(result.webhook)) {
      for (const account of notification.accounts) {
        const failure = account.failure
        const months = failure?._tag === "IncompleteMonths"
          ? failure.months.map((m) => `${m.year}-${String(m.month).padStart(2, "0")}`).join(", ")
          : undefined
        yield* Console.log(
          months === undefined
            ? `account ${account.account_id}: ${account.account_status}`
            : `account ${account.account_id} failed: no transactions for ${months}`
        )
      }
    }
  }).pipe(Effect.provide(clientLayer(t)))
})

// the receiver: on the real API, pass { host: "0.0.0.0", port } and register its public URL
NodeRuntime.runMain(
  program.pipe(Effect.provide(Webhook.layer()), Effect.scoped, Effect.provide([FetchHttpClient.layer, logLevelLayer]))
)
