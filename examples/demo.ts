/**
 * The demo (`pnpm demo`): the simulator in this process, a webhook receiver registered with
 * it, two sessions (one completes; one's account fails with INCOMPLETE_MONTHS), both
 * watched live, the webhooks as they arrive, and each outcome with its typed reason.
 * Live on a terminal; plain lines when output is not a terminal or CI=true. Ctrl-C stops it.
 */
import { BankConnectClient, Completion, Webhook } from "@effect-bankconnect/client"
import { Simulator } from "@effect-bankconnect/simulator"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import { makeDisplay, type SessionView, type View } from "./support/demoView.js"
import { logLevelLayer } from "./support/logLevel.js"

// The API's polling interval is 2 seconds; the demo polls faster so the view moves smoothly.
const interval = "500 millis"

const demo = (simulator: Simulator.Service) =>
  Effect.gen(function*() {
    const receiver = yield* Webhook.WebhookEvents
    const client = yield* BankConnectClient.BankConnectClient
    yield* client.updateWebhook({ webhookUrl: receiver.url })

    const completes = yield* simulator.createSession({
      accounts: [{ bankName: "hdfc", statements: 2 }],
      staggerMillis: 800
    })
    const fails = yield* simulator.createSession({
      accounts: [{
        bankName: "sbi",
        outcome: { status: "failed", errorCode: "INCOMPLETE_MONTHS", months: ["2023-11", "2023-12"] }
      }],
      stageMillis: { identity: 700, transaction: 900, processing: 1200, fraud: 0 }
    })

    const display = makeDisplay()
    const view = yield* Ref.make<View>({
      header: [
        "BankConnect demo",
        `  simulator:        ${simulator.baseUrl}`,
        `  webhook receiver: ${receiver.url} (registered with update_webhook)`
      ],
      sessions: [
        { tag: "A", sessionId: completes.sessionId, progress: undefined, result: undefined },
        { tag: "B", sessionId: fails.sessionId, progress: undefined, result: undefined }
      ],
      events: []
    })
    const update = (f: (view: View) => View) =>
      Effect.flatMap(Ref.updateAndGet(view, f), (v) => Effect.sync(() => display.draw(v)))
    const updateSession = (sessionId: string, f: (session: SessionView) => SessionView) =>
      update((v) => ({ ...v, sessions: v.sessions.map((s) => s.sessionId === sessionId ? f(s) : s) }))

    // webhooks, as they arrive
    yield* receiver.events.pipe(
      Stream.runForEach((event) => {
        const label = event._tag === "EnrichmentNotification" && event.session_id === completes.sessionId ? "A" : "B"
        return update((v) => ({
          ...v,
          events: [...v.events, `webhook arrived: ${event.event_name} for session ${label}`]
        }))
      }),
      Effect.forkScoped
    )

    // each session: watched live, and awaited with the webhook first and polling as the fallback
    yield* Effect.forEach([completes, fails], ({ sessionId }) =>
      Effect.zipRight(
        client.watchProgress(sessionId, { interval }).pipe(
          Stream.runForEach((progress) => updateSession(sessionId, (s) => ({ ...s, progress })))
        ),
        Effect.flatMap(
          Completion.awaitCompletion(sessionId, { interval, webhookWait: "10 seconds", deadline: "25 seconds" }),
          (result) => updateSession(sessionId, (s) => ({ ...s, result, progress: result.progress }))
        )
      ), { concurrency: "unbounded", discard: true })
    display.finish()
  }).pipe(Effect.scoped)

const main = Effect.gen(function*() {
  const simulator = yield* Simulator.make()
  yield* demo(simulator).pipe(
    Effect.provide(Webhook.layer()),
    Effect.provide(BankConnectClient.layer({
      apiKey: Redacted.make(simulator.apiKey),
      serverHash: Redacted.make(simulator.serverHash),
      baseUrl: simulator.baseUrl
    }))
  )
}).pipe(Effect.scoped, Effect.provide([FetchHttpClient.layer, logLevelLayer]))

NodeRuntime.runMain(main)
