import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { Simulator } from "../src/index.js"
import { eventually, progressPath, receiver, request, updateWebhookPath } from "./utils/http.js"

// Deliveries go over real sockets to a receiver on 127.0.0.1; when they happen is the
// simulator's Clock, moved here by TestClock.

const register = (sim: Simulator.Service, url: string, mode: 0 | 1 = 1) =>
  request(sim, "POST", updateWebhookPath, { body: JSON.stringify({ webhook_url: url, webhook_mode: mode }) })

const attempts = (sim: Simulator.Service) => Effect.runSync(sim.webhookAttempts)

describe("Simulator webhooks", () => {
  it.scoped("delivers ENRICHMENT_NOTIFICATION in the newer form when the session completes", () =>
    Effect.gen(function*() {
      const hook = yield* receiver()
      const sim = yield* Simulator.make({ webhooks: { secret: "s3cret" } })
      yield* register(sim, hook.url)
      const { accountIds, sessionId } = yield* sim.createSession({
        accounts: [
          { bankName: "hdfc" },
          { outcome: { status: "failed", errorCode: "INCOMPLETE_MONTHS_UPLOAD", months: ["2023-11", "2023-12"] } }
        ]
      })
      yield* TestClock.adjust("3999 millis")
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 100)))
      expect(hook.received).toHaveLength(0)
      yield* TestClock.adjust("1 millis")
      yield* eventually(() => hook.received.length === 1)
      const [delivery] = hook.received
      expect(delivery?.headers["content-type"]).toBe("application/json")
      expect(delivery?.headers["x-secret-key"]).toBe("s3cret")
      expect(delivery?.body).toEqual({
        session_id: sessionId,
        event_name: "ENRICHMENT_NOTIFICATION",
        insights_available: true,
        accounts: [
          {
            bank_name: "hdfc",
            account_id: accountIds[0],
            account_status: "completed",
            error_code: "",
            error_message: "",
            name: "ACCOUNT HOLDER",
            account_category: "individual",
            attempt_types: ["PDF"]
          },
          {
            bank_name: "sbi",
            account_id: accountIds[1],
            account_status: "failed",
            error_code: "INCOMPLETE_MONTHS_UPLOAD",
            error_message:
              "Statement(s) uploaded contain incomplete months. Missing data present for Nov 2023, Dec 2023",
            name: "ACCOUNT HOLDER",
            account_category: "individual",
            attempt_types: ["PDF"]
          }
        ]
      })
      yield* eventually(() => attempts(sim).length === 1)
      expect(attempts(sim)[0]).toMatchObject({
        sessionId,
        url: hook.url,
        copy: 1,
        attempt: 1,
        outcome: "delivered",
        status: 200
      })
    }))

  it.scoped("delivers the older form with null errors, and the dates map of INCOMPLETE_DATES_UPLOAD", () =>
    Effect.gen(function*() {
      const hook = yield* receiver()
      const sim = yield* Simulator.make()
      yield* register(sim, hook.url)
      yield* sim.createSession({ webhook: { form: "older" } })
      yield* sim.createSession({
        webhook: { form: "older" },
        accounts: [{
          outcome: { status: "failed", errorCode: "INCOMPLETE_DATES_UPLOAD", dates: { "2024-01": [1, 2, 3, 4] } }
        }]
      })
      yield* TestClock.adjust("4 seconds")
      yield* eventually(() => hook.received.length === 2)
      const bodies = hook.received.map((r) => r.body)
      expect(bodies.every((b) => !("insights_available" in b))).toBe(true)
      // both complete at the same instant, so they may arrive in either order
      const accounts = bodies.map((b) => b.accounts[0])
      const ok = accounts.find((a) => a.account_status === "completed")
      const failed = accounts.find((a) => a.account_status === "failed")
      expect(Object.keys(ok).sort()).toEqual([
        "account_id",
        "account_status",
        "bank_name",
        "error_code",
        "error_message"
      ])
      expect(ok).toMatchObject({ account_status: "completed", error_code: null, error_message: null })
      expect(failed).toMatchObject({
        account_status: "failed",
        error_code: "INCOMPLETE_DATES_UPLOAD",
        error_message:
          "Statement(s) uploaded contain incomplete dates. Missing dates present for {\"Jan 2024\": [1, 2, 3, 4]}"
      })
    }))

  it.scoped("retries a non-200 answer with doubling backoff, recording every attempt", () =>
    Effect.gen(function*() {
      const hook = yield* receiver((n) => n < 2 ? 500 : 200)
      const sim = yield* Simulator.make({ webhooks: { retries: 3, backoff: "1 second" } })
      yield* register(sim, hook.url)
      const { sessionId } = yield* sim.createSession({})
      yield* TestClock.adjust("4 seconds")
      yield* eventually(() => attempts(sim).length === 1)
      yield* TestClock.adjust("999 millis")
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 50)))
      expect(hook.received).toHaveLength(1)
      yield* TestClock.adjust("1 millis")
      yield* eventually(() => attempts(sim).length === 2)
      yield* TestClock.adjust("2 seconds")
      yield* eventually(() => attempts(sim).length === 3)
      expect(attempts(sim).map((a) => [a.sessionId, a.attempt, a.outcome, a.status, a.at])).toEqual([
        [sessionId, 1, "failed", 500, 4000],
        [sessionId, 2, "failed", 500, 5000],
        [sessionId, 3, "delivered", 200, 7000]
      ])
      yield* TestClock.adjust("1 minute")
      expect(hook.received).toHaveLength(3)
    }))

  it.scoped("gives up after the configured retries, and reports an unreachable receiver", () =>
    Effect.gen(function*() {
      const hook = yield* receiver(() => 503)
      const sim = yield* Simulator.make({ webhooks: { retries: 1, backoff: "1 second" } })
      yield* register(sim, hook.url)
      yield* sim.createSession({})
      yield* TestClock.adjust("4 seconds")
      yield* eventually(() => attempts(sim).length === 1)
      yield* TestClock.adjust("1 minute")
      yield* eventually(() => attempts(sim).length === 2)
      expect(attempts(sim).map((a) => a.outcome)).toEqual(["failed", "failed"])
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 50)))
      expect(hook.received).toHaveLength(2)

      yield* sim.clearLogs
      yield* register(sim, "http://127.0.0.1:9/closed-port")
      yield* sim.createSession({})
      yield* TestClock.adjust("4 seconds")
      yield* eventually(() => attempts(sim).length === 1)
      expect(attempts(sim)[0]).toMatchObject({ outcome: "failed", url: "http://127.0.0.1:9/closed-port" })
      expect(attempts(sim)[0]?.status).toBeUndefined()
    }))

  it.scoped("skips delivery with no URL registered, and for PDF sessions under webhook_mode 0", () =>
    Effect.gen(function*() {
      const hook = yield* receiver()
      const sim = yield* Simulator.make()
      yield* sim.createSession({})
      yield* TestClock.adjust("4 seconds")
      yield* eventually(() => attempts(sim).length === 1)
      expect(attempts(sim)[0]).toMatchObject({ outcome: "skipped", url: null, detail: "no webhook URL is registered" })
      yield* register(sim, hook.url, 0)
      yield* sim.createSession({})
      yield* sim.createSession({ accounts: [{ source: "online" }] })
      yield* TestClock.adjust("4 seconds")
      yield* eventually(() => attempts(sim).length === 3)
      expect(attempts(sim).slice(1).map((a) => a.outcome).sort()).toEqual(["delivered", "skipped"])
      expect(hook.received).toHaveLength(1)
      expect(hook.received[0]?.body.accounts[0].attempt_types).toEqual(["ONLINE"])
    }))

  it.scoped("sends duplicates, sends early, or sends nothing, as the scenario says", () =>
    Effect.gen(function*() {
      const hook = yield* receiver()
      const sim = yield* Simulator.make()
      yield* register(sim, hook.url)
      const twice = yield* sim.createSession({ webhook: { duplicates: 2 } })
      const early = yield* sim.createSession({ webhook: { earlyMillis: 3000 } })
      const silent = yield* sim.createSession({ webhook: { send: false } })
      yield* TestClock.adjust("1 second")
      yield* eventually(() => hook.received.length === 1)
      expect(hook.received[0]?.body.session_id).toBe(early.sessionId)
      // the early webhook arrived while progress still shows processing
      expect((yield* request(sim, "GET", progressPath(early.sessionId))).json.session_progress).toBe("processing")
      yield* TestClock.adjust("3 seconds")
      yield* eventually(() => hook.received.length === 4)
      yield* TestClock.adjust("1 minute")
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 50)))
      const ids = hook.received.map((r) => r.body.session_id)
      expect(ids.filter((id) => id === twice.sessionId)).toHaveLength(3)
      expect(ids).not.toContain(silent.sessionId)
      expect(attempts(sim).filter((a) => a.sessionId === twice.sessionId).map((a) => a.copy)).toEqual([1, 2, 3])
    }))

  it.scoped("a deleted session's pending webhook is never sent", () =>
    Effect.gen(function*() {
      const hook = yield* receiver()
      const sim = yield* Simulator.make()
      yield* register(sim, hook.url)
      const { sessionId } = yield* sim.createSession({})
      yield* sim.deleteSession(sessionId)
      yield* TestClock.adjust("1 minute")
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 50)))
      expect(hook.received).toHaveLength(0)
      expect(attempts(sim)).toHaveLength(0)
    }))
})
