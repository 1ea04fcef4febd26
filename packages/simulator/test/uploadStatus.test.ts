import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { Simulator } from "../src/index.js"
import { eventually, initiatePath, receiver, request, updateWebhookPath } from "./utils/http.js"
import { createSession, deletePath, pdf, uploadPdf, uploadStatusPath } from "./utils/lifecycle.js"

const window = { from_date: "11/01/2025", to_date: "20/03/2025" }

const register = (sim: Simulator.Service, url: string, mode: 0 | 1 = 1) =>
  request(sim, "POST", updateWebhookPath, { body: JSON.stringify({ webhook_url: url, webhook_mode: mode }) })

/** The upload webhooks received, by event name. */
const events = (received: ReadonlyArray<{ body: any }>) => received.map((r) => r.body.event_name)

describe("GET .../session_upload_status/", () => {
  it.scoped("goes NO_UPLOAD, IN_PROGRESS (a PARTIAL account with missing_data), COMPLETED", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make({
        scenario: {
          uploads: [{ months: ["2025-01"], accountNumber: "924010040573135" }, { months: ["2025-02", "2025-03"] }]
        }
      })
      yield* TestClock.setTime(Date.UTC(2025, 3, 1, 6, 48, 43, 660))
      const sessionId = yield* createSession(sim, { ...window, bank_name: "axis" })
      const status = () => Effect.map(request(sim, "GET", uploadStatusPath(sessionId)), (a) => a.json)
      expect((yield* status()).upload_status).toBe("NO_UPLOAD")

      const first = yield* uploadPdf(sim, sessionId, pdf("jan"))
      let body = yield* status()
      expect(body).toEqual({
        session_id: sessionId,
        session_date_range: { from_date: "11/01/2025", to_date: "20/03/2025" },
        upload_status: "IN_PROGRESS",
        session_expiry_timestamp: "2025-04-01 07:48:43",
        accounts: [{
          account_id: first.json.account_id,
          account_number: "924010040573135", // unmasked here
          bank_name: "axis",
          full_bank_name: "Axis Bank",
          name: "",
          account_type: "",
          account_status: "PARTIAL",
          months: ["2025-01"],
          missing_data: [{ from_date: "2025-02-01", to_date: "2025-03-20" }],
          created_at: "2025-04-01 06:48:43",
          last_updated_at: "2025-04-01 06:48:43",
          statements: [{
            statement_id: first.json.statement_id,
            statement_status: "completed",
            error_code: null,
            error_message: null,
            source: "pdf",
            upload_file_name: expect.stringMatching(/^[0-9a-f-]{36}_axis\.pdf$/),
            statement_date_range: { from_date: "11/01/2025", to_date: "31/01/2025" },
            created_at: "2025-04-01 06:48:43.660000+00:00"
          }]
        }],
        error: {}
      })

      yield* TestClock.adjust("2 minutes")
      const second = yield* uploadPdf(sim, sessionId, pdf("feb-mar"))
      expect(second.json.account_id).not.toBe(first.json.account_id) // another account number
      body = yield* status()
      expect(body.upload_status).toBe("COMPLETED") // the two accounts together cover the range
      expect(body.accounts.map((a: any) => [a.account_status, a.months, a.missing_data.length])).toEqual([
        ["PARTIAL", ["2025-01"], 1],
        ["PARTIAL", ["2025-02", "2025-03"], 1]
      ])
      expect(body.accounts[1].last_updated_at).toBe("2025-04-01 06:50:43")
    }))

  it.scoped("shows scripted sessions as COMPLETED, and answers 404, 410, 403 and KEY_REQUIRED", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make()
      const scripted = yield* sim.createSession({ accounts: [{ statements: 2, bankName: "hdfc" }] })
      const body = (yield* request(sim, "GET", uploadStatusPath(scripted.sessionId))).json
      expect(body.upload_status).toBe("COMPLETED")
      expect(body.accounts[0].statements.map((s: any) => s.statement_id)).toEqual(scripted.statementIds[0])
      expect(body.accounts[0].account_status).toBe("COMPLETED")
      const code = (a: { status: number; json: any }) => [a.status, a.json.error.code]
      expect(code(yield* request(sim, "GET", uploadStatusPath("nope")))).toEqual([404, "SESSION_NOT_FOUND"])
      expect(code(yield* request(sim, "GET", uploadStatusPath("bad%20id")))).toEqual([400, "KEY_REQUIRED"])
      yield* sim.deleteSession(scripted.sessionId)
      expect(code(yield* request(sim, "GET", uploadStatusPath(scripted.sessionId)))).toEqual([410, "SESSION_DELETED"])
      const denied = yield* request(sim, "GET", uploadStatusPath(scripted.sessionId), {
        headers: { "x-api-key": sim.apiKey }
      })
      expect(code(denied)).toEqual([403, "ACCESS_DENIED"])
    }))

  it.scoped("sends SESSION_REQUIREMENT_COMPLETION_NOTIFICATION once, when the uploads cover the range", () =>
    Effect.gen(function*() {
      const hook = yield* receiver()
      const sim = yield* Simulator.make({ scenario: { uploads: [{ months: ["2025-01"] }] } })
      yield* register(sim, hook.url)
      const sessionId = yield* createSession(sim, window)
      yield* uploadPdf(sim, sessionId, pdf("jan"))
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 100)))
      expect(hook.received).toHaveLength(0) // not covered yet
      const second = yield* uploadPdf(sim, sessionId, pdf("all")) // the whole range by default
      yield* eventually(() => hook.received.length === 1)
      const payload = hook.received[0]!.body
      expect(payload).toEqual({
        session_id: sessionId,
        event_name: "SESSION_REQUIREMENT_COMPLETION_NOTIFICATION",
        message: "Upload Completed",
        accounts: [{
          account_id: second.json.account_id,
          account_number: expect.stringMatching(/^X{10}\d{4}$/), // masked here
          bank_name: "sbi",
          created_at: expect.any(String),
          last_updated_at: expect.any(String),
          statements: expect.arrayContaining([expect.objectContaining({ statement_id: second.json.statement_id })]),
          account_status: "COMPLETED",
          months: ["2025-01", "2025-02", "2025-03"],
          missing_data: []
        }],
        session_date_range: { from_date: "11/01/2025", to_date: "20/03/2025" }
      })
      expect(payload.accounts[0].account_number.slice(-4)).toBe(second.json.identity.account_number.slice(-4))
      // no second one: not for more uploads, not for processing
      yield* uploadPdf(sim, sessionId, pdf("more"))
      expect((yield* request(sim, "POST", initiatePath(sessionId))).status).toBe(202)
      yield* TestClock.adjust("2 hours")
      yield* eventually(() => hook.received.length === 2)
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 100)))
      expect(events(hook.received)).toEqual([
        "SESSION_REQUIREMENT_COMPLETION_NOTIFICATION",
        "ENRICHMENT_NOTIFICATION"
      ])
    }))

  it.scoped("sends the completion notification at initiate_processing when the uploads never covered the range", () =>
    Effect.gen(function*() {
      const hook = yield* receiver()
      const sim = yield* Simulator.make({ scenario: { uploads: [{ months: ["2025-02"] }] } })
      yield* register(sim, hook.url)
      const sessionId = yield* createSession(sim, window)
      yield* uploadPdf(sim, sessionId)
      expect((yield* request(sim, "GET", uploadStatusPath(sessionId))).json.upload_status).toBe("IN_PROGRESS")
      yield* request(sim, "POST", initiatePath(sessionId))
      yield* eventually(() => hook.received.length === 1)
      expect(hook.received[0]!.body.accounts[0].account_status).toBe("PARTIAL")
      expect((yield* request(sim, "GET", uploadStatusPath(sessionId))).json.upload_status).toBe("COMPLETED")
      // processing requested in time: no expiry notification
      yield* TestClock.adjust("3 hours")
      yield* eventually(() => hook.received.length === 2)
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 100)))
      expect(events(hook.received)).toEqual(["SESSION_REQUIREMENT_COMPLETION_NOTIFICATION", "ENRICHMENT_NOTIFICATION"])
    }))

  it.scoped("expires without processing: EXPIRED, SESSION_EXPIRY_NOTIFICATION, and no processing after", () =>
    Effect.gen(function*() {
      const hook = yield* receiver()
      const sim = yield* Simulator.make({
        webhooks: { secret: "s3cret" },
        scenario: { uploads: [{ months: ["2025-01"] }] }
      })
      yield* register(sim, hook.url)
      const sessionId = yield* createSession(sim, { ...window, session_expiry: 30 })
      const empty = yield* createSession(sim, { ...window, session_expiry: 30 })
      const gone = yield* createSession(sim, { ...window, session_expiry: 30 })
      yield* request(sim, "DELETE", deletePath(gone))
      yield* uploadPdf(sim, sessionId)
      yield* TestClock.adjust("29 minutes")
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 100)))
      expect(hook.received).toHaveLength(0)
      yield* TestClock.adjust("1 minute")
      yield* eventually(() => hook.received.length === 2)
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 100)))
      const byId = new Map(hook.received.map((r) => [r.body.session_id, r]))
      expect([...byId.keys()].sort()).toEqual([sessionId, empty].sort()) // not the deleted one
      const expired = byId.get(sessionId)!
      expect(expired.headers["x-secret-key"]).toBe("s3cret")
      expect(expired.body).toMatchObject({
        event_name: "SESSION_EXPIRY_NOTIFICATION",
        message: "Session expired",
        accounts: [{ account_status: "PARTIAL", months: ["2025-01"] }]
      })
      expect(byId.get(empty)!.body.accounts).toEqual([])
      expect((yield* request(sim, "GET", uploadStatusPath(sessionId))).json.upload_status).toBe("EXPIRED")
      const late = yield* request(sim, "POST", initiatePath(sessionId))
      expect([late.status, late.json.error.code]).toEqual([400, "SESSION_EXPIRED"])
      // the webhook log records them like any other delivery
      const attempts = yield* sim.webhookAttempts
      expect(attempts.map((a) => [a.outcome, (a.payload as any).event_name])).toEqual([
        ["delivered", "SESSION_EXPIRY_NOTIFICATION"],
        ["delivered", "SESSION_EXPIRY_NOTIFICATION"]
      ])
    }))

  it.scoped("delivers upload notifications with the scenario's duplicates and retries, or not at all", () =>
    Effect.gen(function*() {
      const hook = yield* receiver((n) => (n === 0 ? 500 : 200))
      const sim = yield* Simulator.make({ webhooks: { backoff: "1 second" }, scenario: { webhook: { duplicates: 1 } } })
      yield* register(sim, hook.url)
      const sessionId = yield* createSession(sim, window)
      yield* uploadPdf(sim, sessionId)
      yield* eventually(() => Effect.runSync(sim.webhookAttempts).length === 1)
      yield* TestClock.adjust("1 second") // the retry after the 500
      yield* eventually(() => Effect.runSync(sim.webhookAttempts).length === 3)
      expect(hook.received).toHaveLength(3)
      expect((yield* sim.webhookAttempts).map((a) => [a.copy, a.attempt, a.outcome])).toEqual([
        [1, 1, "failed"],
        [1, 2, "delivered"],
        [2, 1, "delivered"]
      ])
      yield* sim.setSettings({ scenario: { webhook: { send: false } } })
      const silent = yield* createSession(sim, window)
      yield* uploadPdf(sim, silent)
      yield* TestClock.adjust("2 hours")
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 100)))
      expect(hook.received.filter((r) => r.body.session_id === silent)).toHaveLength(0)
    }))
})
