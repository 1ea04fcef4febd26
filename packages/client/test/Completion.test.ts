import { Simulator } from "@effect-bankconnect/simulator"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { BankConnectClient, Completion, Progress, Webhook } from "../src/index.js"
import { post } from "./utils/receivers.js"

// End to end: the simulator delivers webhooks to a real Webhook.serve on 127.0.0.1, and
// Completion waits on both. Real time, short stages (four stages of 50 ms complete at 200 ms).

const stageMillis = { identity: 50, transaction: 50, processing: 50, fraud: 50 }

const setup = (options: { readonly receiver: boolean }) =>
  Effect.gen(function*() {
    const sim = yield* Simulator.make({ webhooks: { retries: 0 } })
    const clientLayer = BankConnectClient.layer({
      apiKey: Redacted.make(sim.apiKey),
      serverHash: Redacted.make(sim.serverHash),
      baseUrl: sim.baseUrl
    }).pipe(Layer.provide(FetchHttpClient.layer))
    const handled: Array<Webhook.Event> = []
    const receiver = options.receiver
      ? Option.some(yield* Webhook.serve({ onEvent: (event) => Effect.sync(() => void handled.push(event)) }))
      : Option.none()
    if (Option.isSome(receiver)) {
      yield* Effect.provide(
        Effect.flatMap(BankConnectClient.BankConnectClient, (c) => c.updateWebhook({ webhookUrl: receiver.value.url })),
        clientLayer
      )
    }
    const run = (sessionId: string, opts: Completion.Options) =>
      Completion.awaitCompletion(sessionId, { interval: "25 millis", ...opts }).pipe(
        Effect.provide(clientLayer),
        Option.isSome(receiver) ? Effect.provideService(Webhook.WebhookEvents, receiver.value) : (e) => e
      )
    const progressCalls = (sessionId: string) =>
      Effect.map(sim.requests, (log) => log.filter((r) => r.sessionId === sessionId && r.path.endsWith("/progress/")))
    return { sim, receiver, handled, run, progressCalls }
  })

describe("Completion.awaitCompletion", () => {
  it.live("webhook on time: one progress call confirms it", () =>
    Effect.gen(function*() {
      const { progressCalls, run, sim } = yield* setup({ receiver: true })
      const { sessionId } = yield* sim.createSession({
        stageMillis,
        accounts: [{ outcome: { status: "failed", errorCode: "INCOMPLETE_MONTHS", months: ["2023-11", "2023-12"] } }]
      })
      const result = yield* run(sessionId, { webhookWait: "5 seconds" })
      expect(result.via).toBe("webhook")
      expect(Progress.isComplete(result.progress)).toBe(true)
      const failure = Option.getOrThrow(result.webhook).accounts[0]?.failure
      expect(failure).toMatchObject({
        _tag: "IncompleteMonths",
        months: [{ year: 2023, month: 11 }, { year: 2023, month: 12 }]
      })
      expect(yield* progressCalls(sessionId)).toHaveLength(1)
    }).pipe(Effect.scoped))

  it.live("the outcome comes from the session status, never from the webhook's content", () =>
    Effect.gen(function*() {
      const { run, sim } = yield* setup({ receiver: true })
      const { sessionId } = yield* sim.createSession({
        stageMillis,
        accounts: [
          { outcome: { status: "failed", errorCode: "INCOMPLETE_MONTHS", months: ["2023-11"] } },
          { outcome: { status: "completed" } }
        ]
      })
      const result = yield* run(sessionId, { webhookWait: "5 seconds", insights: true })
      expect(result.status.session_id).toBe(sessionId)
      expect(result.status.accounts.map((account) => account.account_status)).toEqual(["failed", "completed"])
      expect(result.status.accounts[0]?.failure).toMatchObject({
        _tag: "IncompleteMonths",
        months: [{ year: 2023, month: 11 }]
      })
      expect(Option.getOrThrow(result.insights).session_id).toBe(sessionId)
      const calls = (yield* sim.requests).filter((r) => r.sessionId === sessionId).map((r) => r.path.split("/").at(-2))
      expect(calls).toContain("session_status")
      expect(calls.at(-1)).toBe("insights")
    }).pipe(Effect.scoped))

  it.live("a forged webhook's outcomes are not the result's: the session status is", () =>
    Effect.gen(function*() {
      const { receiver, run, sim } = yield* setup({ receiver: true })
      const { sessionId } = yield* sim.createSession({
        stageMillis,
        webhook: { send: false },
        accounts: [{ outcome: { status: "failed", errorCode: "UNPARSABLE" } }]
      })
      // anyone who can reach the receiver claims every account completed
      yield* post(
        Option.getOrThrow(receiver).url,
        JSON.stringify({
          session_id: sessionId,
          event_name: "ENRICHMENT_NOTIFICATION",
          accounts: [{ account_id: "a1", bank_name: "sbi", account_status: "completed", error_code: null }]
        })
      )
      const result = yield* run(sessionId, { webhookWait: "2 seconds" })
      expect(result.status.accounts.map((account) => account.failure?._tag)).toEqual(["Unparsable"])
    }).pipe(Effect.scoped))

  it.live("webhook never sent: polls after webhookWait and still completes", () =>
    Effect.gen(function*() {
      const { progressCalls, run, sim } = yield* setup({ receiver: true })
      const { sessionId } = yield* sim.createSession({ stageMillis, webhook: { send: false } })
      const started = Date.now()
      const result = yield* run(sessionId, { webhookWait: "300 millis" })
      expect(result.via).toBe("polling")
      expect(result.webhook).toEqual(Option.none())
      expect(Progress.isComplete(result.progress)).toBe(true)
      const calls = yield* progressCalls(sessionId)
      expect(calls[0]!.at - started).toBeGreaterThanOrEqual(250)
    }).pipe(Effect.scoped))

  it.live("webhook before progress completes: polls until progress confirms, keeping the webhook", () =>
    Effect.gen(function*() {
      const { progressCalls, run, sim } = yield* setup({ receiver: true })
      const { sessionId } = yield* sim.createSession({
        stageMillis: { identity: 100, transaction: 100, processing: 100, fraud: 300 },
        webhook: { earlyMillis: 400 }
      })
      const result = yield* run(sessionId, { webhookWait: "5 seconds" })
      expect(result.via).toBe("polling")
      expect(Option.isSome(result.webhook)).toBe(true)
      expect(Progress.isComplete(result.progress)).toBe(true)
      const calls = yield* progressCalls(sessionId)
      expect(calls.length).toBeGreaterThan(1)
      const info = Option.getOrThrow(yield* sim.session(sessionId))
      expect(calls.at(-1)!.at).toBeGreaterThanOrEqual(info.completesAt!)
    }).pipe(Effect.scoped))

  it.live("duplicate webhooks: handled once, completion as usual", () =>
    Effect.gen(function*() {
      const { handled, run, sim } = yield* setup({ receiver: true })
      const { sessionId } = yield* sim.createSession({ stageMillis, webhook: { duplicates: 2 } })
      const result = yield* run(sessionId, { webhookWait: "5 seconds" })
      expect(result.via).toBe("webhook")
      yield* Effect.sleep("100 millis")
      const attempts = (yield* sim.webhookAttempts).filter((a) => a.sessionId === sessionId)
      expect(attempts.map((a) => a.outcome)).toEqual(["delivered", "delivered", "delivered"])
      expect(handled.filter((e) => e._tag === "EnrichmentNotification" && e.session_id === sessionId)).toHaveLength(1)
    }).pipe(Effect.scoped))

  it.live("a forged webhook for a session still processing is not trusted", () =>
    Effect.gen(function*() {
      const { receiver, run, sim } = yield* setup({ receiver: true })
      const { sessionId } = yield* sim.createSession({
        stageMillis: { ...stageMillis, fraud: 400 },
        webhook: { send: false }
      })
      yield* post(
        Option.getOrThrow(receiver).url,
        JSON.stringify({ session_id: sessionId, event_name: "ENRICHMENT_NOTIFICATION", accounts: [] })
      )
      const result = yield* run(sessionId, { webhookWait: "5 seconds" })
      expect(result.via).toBe("polling")
      expect(Progress.isComplete(result.progress)).toBe(true)
      const info = Option.getOrThrow(yield* sim.session(sessionId))
      expect(info.state).toBe("completed")
    }).pipe(Effect.scoped))

  it.live("a forged 'all completed' webhook for a session whose statement failed is never returned", () =>
    Effect.gen(function*() {
      const { receiver, run, sim } = yield* setup({ receiver: true })
      const { sessionId } = yield* sim.createSession({
        stageMillis,
        accounts: [{ outcome: { status: "failed", errorCode: "INCOMPLETE_MONTHS", months: ["2023-11"] } }],
        webhook: { send: false }
      })
      const forged = {
        session_id: sessionId,
        event_name: "ENRICHMENT_NOTIFICATION",
        accounts: [{
          account_id: "a-1",
          bank_name: "sbi",
          account_status: "completed",
          error_code: null,
          error_message: null
        }]
      }
      yield* post(Option.getOrThrow(receiver).url, JSON.stringify(forged))
      const result = yield* run(sessionId, { webhookWait: "5 seconds" })
      expect(Progress.isComplete(result.progress)).toBe(true)
      expect(Progress.failedStatements(result.progress)).toHaveLength(1)
      expect(result.webhook).toEqual(Option.none())
      expect(result.via).toBe("polling")
    }).pipe(Effect.scoped))

  it.live("the first delivery is kept: a later forged copy does not replace the real one", () =>
    Effect.gen(function*() {
      const { receiver, run, sim } = yield* setup({ receiver: true })
      const { sessionId } = yield* sim.createSession({
        stageMillis,
        accounts: [{ outcome: { status: "failed", errorCode: "INCOMPLETE_MONTHS", months: ["2023-11"] } }]
      })
      const server = Option.getOrThrow(receiver)
      const real = yield* server.awaitEnrichment(sessionId)
      const forged = {
        session_id: sessionId,
        event_name: "ENRICHMENT_NOTIFICATION",
        accounts: [{
          account_id: "a-1",
          bank_name: "sbi",
          account_status: "failed",
          error_code: "BALANCE_MISMATCH",
          error_message: "forged"
        }]
      }
      yield* post(server.url, JSON.stringify(forged))
      expect(Option.getOrThrow(yield* server.latestEnrichment(sessionId))).toEqual(real)
      const result = yield* run(sessionId, { webhookWait: "5 seconds" })
      expect(result.via).toBe("webhook")
      expect(Option.getOrThrow(result.webhook).accounts[0]?.failure?._tag).toBe("IncompleteMonths")
    }).pipe(Effect.scoped))

  it("agrees: a webhook agrees with the progress unless it reports no failure against a failed statement", () => {
    const progress = (failed: boolean) =>
      Progress.SessionProgress.make({
        session_id: "s-1",
        session_progress: "completed",
        progress: [
          Progress.StatementProgress.make({
            identity_status: "completed",
            transaction_status: failed ? "failed" : "completed",
            processing_status: failed ? null : "completed",
            fraud_status: failed ? null : "completed",
            statement_id: "st-1",
            message: null,
            source: "pdf"
          })
        ]
      })
    const webhook = (sessionId: string, status: string, code: string | null) =>
      Webhook.EnrichmentNotification.make({
        session_id: sessionId,
        event_name: "ENRICHMENT_NOTIFICATION",
        insights_available: null,
        accounts: [
          Webhook.EnrichmentAccount.make({
            bank_name: "sbi",
            account_id: "a-1",
            account_status: status,
            error_code: code,
            error_message: code,
            name: null,
            account_category: null,
            attempt_types: []
          })
        ]
      })
    expect(Completion.agrees(progress(false), webhook("s-1", "completed", null))).toBe(true)
    expect(Completion.agrees(progress(false), webhook("s-1", "failed", "INCOMPLETE_MONTHS"))).toBe(true)
    expect(Completion.agrees(progress(true), webhook("s-1", "failed", "UNPARSABLE"))).toBe(true)
    expect(Completion.agrees(progress(true), webhook("s-1", "completed", null))).toBe(false)
    expect(Completion.agrees(progress(false), webhook("s-2", "completed", null))).toBe(false)
    // spellings other than the documented ones disagree, whatever the progress says
    for (const status of ["Completed", "completed ", "COMPLETED", "done"]) {
      expect(Completion.agrees(progress(true), webhook("s-1", status, null))).toBe(false)
      expect(Completion.agrees(progress(false), webhook("s-1", status, null))).toBe(false)
    }
    // a completed account with a failure code, a failed one without
    expect(Completion.agrees(progress(false), webhook("s-1", "completed", "INCOMPLETE_MONTHS"))).toBe(false)
    expect(Completion.agrees(progress(true), webhook("s-1", "failed", ""))).toBe(false)
    // a decoy account: more accounts than the progress has statements
    const decoy = webhook("s-1", "completed", null)
    const withDecoy = Webhook.EnrichmentNotification.make({
      ...decoy,
      accounts: [...decoy.accounts, ...webhook("s-1", "failed", "NOTE").accounts]
    })
    expect(Completion.agrees(progress(true), withDecoy)).toBe(false)
  })

  it.live("no receiver: polls at once", () =>
    Effect.gen(function*() {
      const { progressCalls, run, sim } = yield* setup({ receiver: false })
      const { sessionId } = yield* sim.createSession({ stageMillis })
      const started = Date.now()
      const result = yield* run(sessionId, { webhookWait: "10 seconds" })
      expect(result.via).toBe("polling")
      // at once: far sooner than the 10-second webhookWait (loose, for a loaded machine)
      expect((yield* progressCalls(sessionId))[0]!.at - started).toBeLessThan(2_000)
    }).pipe(Effect.scoped))

  it.live("interruption stops the wait and the polling", () =>
    Effect.gen(function*() {
      const { progressCalls, run, sim } = yield* setup({ receiver: true })
      const { sessionId } = yield* sim.createSession({ stageMillis: { fraud: 60_000 }, webhook: { send: false } })
      const fiber = yield* Effect.fork(run(sessionId, { webhookWait: "50 millis" }))
      yield* Effect.sleep("200 millis")
      yield* Fiber.interrupt(fiber)
      const sent = (yield* progressCalls(sessionId)).length
      expect(sent).toBeGreaterThan(0)
      yield* Effect.sleep("200 millis")
      expect(yield* progressCalls(sessionId)).toHaveLength(sent)
    }).pipe(Effect.scoped))

  it.live("a deadline ends the wait with CompletionTimeout and stops polling", () =>
    Effect.gen(function*() {
      const { progressCalls, run, sim } = yield* setup({ receiver: true })
      const { sessionId } = yield* sim.createSession({ stageMillis: { fraud: 60_000 }, webhook: { send: false } })
      const error = yield* Effect.flip(run(sessionId, { webhookWait: "50 millis", deadline: "300 millis" }))
      expect(error).toMatchObject({ _tag: "CompletionTimeout", sessionId })
      const sent = (yield* progressCalls(sessionId)).length
      expect(sent).toBeGreaterThan(0)
      yield* Effect.sleep("200 millis")
      expect(yield* progressCalls(sessionId)).toHaveLength(sent)
    }).pipe(Effect.scoped))
})
