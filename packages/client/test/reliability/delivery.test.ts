import { type Scenario, Simulator } from "@effect-bankconnect/simulator"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { BankConnectClient, Completion, Progress, Webhook } from "../../src/index.js"
import { report, scale } from "./support.js"

// The simulator delivers webhooks duplicated, out of order and before progress completes,
// while onEvent fails 30% of the time. Every completed session's event must be handled
// exactly once, and every wait must return. Real sockets, real time.

const sessions = 40 * scale

/** A seeded uniform generator (mulberry32): onEvent fails for 30% of its draws. */
const uniform = (seed: number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = Math.imul(state ^ (state >>> 15), state | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const scenario = (i: number): Scenario.Input => ({
  // completions spread over 0.2 to 1.4 s, in an order unrelated to creation
  stageMillis: { identity: 50, transaction: 50, processing: 50, fraud: 50 + ((i * 7919) % 13) * 100 },
  webhook: {
    duplicates: i % 3, // 0, 1 or 2 extra copies
    earlyMillis: i % 4 === 0 ? 300 : 0 // a quarter arrive before progress shows completed
  },
  accounts: [{ outcome: i % 5 === 0 ? { status: "failed", errorCode: "INCOMPLETE_MONTHS" } : { status: "completed" } }]
})

describe("webhook delivery under faults", () => {
  it.live(`${sessions} sessions: each event handled exactly once, each wait returns`, () =>
    Effect.gen(function*() {
      const random = uniform(42)
      const handled = new Map<string, number>()
      let failures = 0
      const receiver = yield* Webhook.serve({
        onEvent: (event) =>
          Effect.suspend(() => {
            if (random() < 0.3) {
              failures++
              return Effect.fail("onEvent failed")
            }
            if (event._tag === "EnrichmentNotification") {
              handled.set(event.session_id, (handled.get(event.session_id) ?? 0) + 1)
            }
            return Effect.void
          })
      })
      const sim = yield* Simulator.make({ webhooks: { retries: 10, backoff: "20 millis" }, maxLogEntries: 100_000 })
      const clientLayer = BankConnectClient.layer({
        apiKey: Redacted.make(sim.apiKey),
        serverHash: Redacted.make(sim.serverHash),
        baseUrl: sim.baseUrl
      }).pipe(Layer.provide(FetchHttpClient.layer))
      yield* Effect.flatMap(BankConnectClient.BankConnectClient, (c) => c.updateWebhook({ webhookUrl: receiver.url }))
        .pipe(
          Effect.provide(clientLayer)
        )
      const created = yield* Effect.forEach(Array.from({ length: sessions }, (_, i) => i), (i) =>
        sim.createSession(scenario(i)))

      const results = yield* Effect.forEach(
        created,
        ({ sessionId }) =>
          Completion.awaitCompletion(sessionId, { webhookWait: "5 seconds", interval: "100 millis" }),
        { concurrency: "unbounded" }
      ).pipe(Effect.provide(clientLayer), Effect.provideService(Webhook.WebhookEvents, receiver))

      expect(results.every((r) => Progress.isComplete(r.progress))).toBe(true)
      // let the last retries of failed deliveries land
      for (let i = 0; i < 300 && handled.size < sessions; i++) yield* Effect.sleep("20 millis")
      for (const { sessionId } of created) expect(handled.get(sessionId)).toBe(1)

      const attempts = yield* sim.webhookAttempts
      const delivered = attempts.filter((a) => a.outcome === "delivered").length
      const failedAttempts = attempts.filter((a) => a.outcome === "failed").length
      const early = results.filter((r) => r.via === "polling" && r.webhook._tag === "Some").length
      report(
        `delivery: ${sessions} sessions, ${attempts.length} delivery attempts (${failedAttempts} answered 500 after onEvent ` +
          `failed ${failures} times, ${delivered} acknowledged incl. duplicates), every event handled exactly once, ` +
          `${
            results.filter((r) => r.via === "webhook").length
          } completions via webhook, ${early} early webhooks confirmed by polling`
      )
    }).pipe(Effect.scoped), 120_000 * scale)
})
