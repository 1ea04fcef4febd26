import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as Tracer from "effect/Tracer"
import { Simulator } from "../src/index.js"
import { initiatePath, progressPath, request, statusPath, updateWebhookPath } from "./utils/http.js"

const stages = (s: any) => [s.identity_status, s.transaction_status, s.processing_status, s.fraud_status]

describe("Simulator", () => {
  describe("progress", () => {
    it.scoped("moves each statement through the four stages on the clock, then completes", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make()
        const { sessionId, statementIds } = yield* sim.createSession({
          accounts: [{ statements: 2 }],
          staggerMillis: 500
        })
        const at = () => Effect.map(request(sim, "GET", progressPath(sessionId)), (a) => a.json)
        let body = yield* at()
        expect(body.session_id).toBe(sessionId)
        expect(body.session_progress).toBe("processing")
        expect(body.progress.map((s: any) => s.statement_id)).toEqual(statementIds[0])
        expect(body.progress.map(stages)).toEqual([
          ["processing", null, null, null],
          [null, null, null, null]
        ])
        yield* TestClock.adjust("1500 millis")
        body = yield* at()
        expect(body.progress.map(stages)).toEqual([
          ["completed", "processing", null, null],
          ["completed", "processing", null, null]
        ])
        yield* TestClock.adjust("2500 millis") // t = 4000: the first is done, the second is not
        body = yield* at()
        expect(body.progress.map(stages)).toEqual([
          ["completed", "completed", "completed", "completed"],
          ["completed", "completed", "completed", "processing"]
        ])
        expect(body.session_progress).toBe("processing")
        yield* TestClock.adjust("500 millis")
        body = yield* at()
        expect(body.session_progress).toBe("completed")
        expect(body.progress.every((s: any) => s.source === "pdf" && s.message === null)).toBe(true)
        expect(Option.map(yield* sim.session(sessionId), (s) => s.state)).toEqual(Option.some("completed"))
      }))

    it.scoped("shows a failed account's statement failing at its stage, with the message carrying the data", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make()
        const months = yield* sim.createSession({
          accounts: [{ outcome: { status: "failed", errorCode: "INCOMPLETE_MONTHS", months: ["2023-11", "2024-01"] } }]
        })
        const unparsable = yield* sim.createSession({
          accounts: [{ outcome: { status: "failed", errorCode: "UNPARSABLE" } }],
          stageMillis: { transaction: 5000 }
        })
        yield* TestClock.adjust("3 seconds")
        const failed = (yield* request(sim, "GET", progressPath(months.sessionId))).json
        expect(failed.session_progress).toBe("completed")
        expect(stages(failed.progress[0])).toEqual(["completed", "completed", "failed", null])
        expect(failed.progress[0].message).toBe(
          "Insufficient data to generate report. There are no transactions for Nov 2023, Jan 2024"
        )
        const early = (yield* request(sim, "GET", progressPath(unparsable.sessionId))).json
        expect(stages(early.progress[0])).toEqual(["completed", "processing", null, null])
        yield* TestClock.adjust("3 seconds")
        const late = (yield* request(sim, "GET", progressPath(unparsable.sessionId))).json
        expect(stages(late.progress[0])).toEqual(["completed", "failed", null, null])
        expect(late.session_progress).toBe("completed")
      }))

    it.scoped("answers unknown, deleted and not-requested sessions with their error codes", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make()
        const unknown = yield* request(sim, "GET", progressPath("no-such-session"))
        expect([unknown.status, unknown.json]).toEqual([404, {
          error: { code: "SESSION_NOT_FOUND", message: "The provided session ID is invalid" }
        }])
        const deleted = yield* sim.createSession({ state: "deleted" })
        expect((yield* request(sim, "GET", progressPath(deleted.sessionId))).json.error.code).toBe("SESSION_DELETED")
        const live = yield* sim.createSession({})
        yield* sim.deleteSession(live.sessionId)
        const gone = yield* request(sim, "GET", progressPath(live.sessionId))
        expect([gone.status, gone.json.error.code]).toEqual([410, "SESSION_DELETED"])
        const waiting = yield* sim.createSession({ state: "not_requested" })
        const notRequested = yield* request(sim, "GET", progressPath(waiting.sessionId))
        expect([notRequested.status, notRequested.json.error.code]).toEqual([400, "PROCESSING_NOT_REQUESTED"])
      }))
  })

  describe("initiate_processing and session_status", () => {
    it.scoped("starts a waiting session, refuses a second start, and reports status once done", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make()
        const { accountIds, sessionId } = yield* sim.createSession({
          state: "not_requested",
          accounts: [{ bankName: "axis", outcome: { status: "completed" } }]
        })
        yield* TestClock.adjust("1 minute") // nothing moves until processing is requested
        const notYet = yield* request(sim, "GET", statusPath(sessionId))
        expect([notYet.status, notYet.json.error.code]).toEqual([400, "PROCESSING_NOT_REQUESTED"])
        const started = yield* request(sim, "POST", initiatePath(sessionId))
        expect([started.status, started.json]).toEqual([202, { session_id: sessionId, message: "success" }])
        const again = yield* request(sim, "POST", initiatePath(sessionId))
        expect([again.status, again.json.error.code]).toEqual([409, "DUPLICATE_PROCESSING_REQUEST"])
        const running = yield* request(sim, "GET", statusPath(sessionId))
        expect([running.status, running.json.error.code]).toEqual([400, "PROCESSING_NOT_COMPLETED"])
        expect((yield* request(sim, "GET", progressPath(sessionId))).json.session_progress).toBe("processing")
        yield* TestClock.adjust("4 seconds")
        const done = yield* request(sim, "GET", statusPath(sessionId))
        expect(done.status).toBe(200)
        expect(done.json).toMatchObject({
          session_id: sessionId,
          insights_available: true,
          accounts: [{ account_id: accountIds[0], bank_name: "axis", account_status: "completed", error_code: null }]
        })
        const unknown = yield* request(sim, "POST", initiatePath("nope"))
        expect(unknown.status).toBe(404)
      }))
  })

  describe("credentials", () => {
    it.scoped("answers a missing or wrong credential with 403 ACCESS_DENIED", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make({ apiKey: "k1", serverHash: "h1" })
        const { sessionId } = yield* sim.createSession({})
        for (const headers of [{}, { "x-api-key": "k1" }, { "x-api-key": "k1", "server-hash": "wrong" }]) {
          const answer = yield* request(sim, "GET", progressPath(sessionId), { headers })
          expect([answer.status, answer.json]).toEqual([403, {
            error: { code: "ACCESS_DENIED", message: "Authentication credentials were not provided" }
          }])
        }
        const ok = yield* request(sim, "GET", progressPath(sessionId), {
          headers: { "x-api-key": "k1", "server-hash": "h1" }
        })
        expect(ok.status).toBe(200)
        const log = yield* sim.requests
        expect(log.map((r) => r.authorized)).toEqual([false, false, false, true])
        expect(JSON.stringify(log)).not.toContain("h1\"")
      }))

    it.scoped("answers with DRF's 401 detail body when so configured", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make({ accessDenied: "detail" })
        const answer = yield* request(sim, "POST", updateWebhookPath, { headers: {}, body: "{}" })
        expect([answer.status, answer.json]).toEqual([401, { detail: "Authentication credentials were not provided." }])
      }))
  })

  describe("update_webhook", () => {
    it.scoped("registers the URL and mode, mode 0 by default, and rejects what it cannot take", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make()
        const ok = yield* request(sim, "POST", updateWebhookPath, {
          body: JSON.stringify({ webhook_url: "https://lender.example/hook", webhook_mode: 1 })
        })
        expect([ok.status, ok.json]).toEqual([200, { message: "success" }])
        expect(yield* sim.webhook).toEqual(Option.some({ url: "https://lender.example/hook", mode: 1 }))
        yield* request(sim, "POST", updateWebhookPath, {
          body: JSON.stringify({ webhook_url: "http://127.0.0.1:9/h" })
        })
        expect(yield* sim.webhook).toEqual(Option.some({ url: "http://127.0.0.1:9/h", mode: 0 }))
        const badUrl = yield* request(sim, "POST", updateWebhookPath, {
          body: JSON.stringify({ webhook_url: "ftp://x" })
        })
        expect([badUrl.status, badUrl.json.error.code]).toEqual([400, "BAD_REQUEST"])
        expect(badUrl.json.error.message).toContain("webhook_url")
        const badMode = yield* request(sim, "POST", updateWebhookPath, {
          body: JSON.stringify({ webhook_url: "https://x.example", webhook_mode: 3 })
        })
        expect(badMode.json.error.message).toContain("webhook_mode")
        const notJson = yield* request(sim, "POST", updateWebhookPath, { body: "{nope" })
        expect([notJson.status, notJson.json.error.message]).toEqual([400, "The body must be JSON"])
        expect(yield* sim.webhook).toEqual(Option.some({ url: "http://127.0.0.1:9/h", mode: 0 }))
      }))
  })

  describe("bad input", () => {
    it.scoped("answers an unknown route 404 and a wrong method 405 with Allow, in JSON", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make()
        const unknown = yield* request(sim, "GET", "/bank-connect/v1/nothing/")
        expect([unknown.status, unknown.json.error.code]).toEqual([404, "NOT_FOUND"])
        const method = yield* request(sim, "DELETE", progressPath("abc"))
        expect([method.status, method.json.error.code, method.headers.get("allow")]).toEqual([
          405,
          "METHOD_NOT_ALLOWED",
          "GET"
        ])
        const noSlash = yield* request(sim, "GET", "/bank-connect/v1/session_data/abc/progress")
        expect(noSlash.status).toBe(404)
      }))

    it.scoped("rejects a malformed scenario, naming the field, and keeps serving", () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make()
        const bad = yield* Effect.flip(sim.createSession({ accounts: [{ statements: 0 }] }))
        expect(bad.message).toContain("accounts.0.statements")
        const extra = yield* Effect.flip(sim.createSession({ statments: 2 } as never))
        expect(extra.message).toContain("statments")
        const overHttp = yield* request(sim, "POST", "/__simulator/sessions", {
          body: JSON.stringify({ stageMillis: { identity: -1 } })
        })
        expect([overHttp.status, overHttp.json.error.code]).toEqual([400, "BAD_REQUEST"])
        expect(overHttp.json.error.message).toContain("stageMillis.identity")
        const garbage = yield* request(sim, "POST", "/__simulator/sessions", { body: "\u0000\uffff{" })
        expect(garbage.status).toBe(400)
        const duplicate = yield* sim.createSession({ sessionId: "fixed-id" })
        expect(duplicate.sessionId).toBe("fixed-id")
        expect((yield* Effect.flip(sim.createSession({ sessionId: "fixed-id" }))).message).toContain("already exists")
        expect((yield* request(sim, "GET", progressPath("fixed-id"))).status).toBe(200)
      }))
  })
})

describe("Simulator tracing", () => {
  it.scoped("its server's spans redact the credentials the client sends", () =>
    Effect.gen(function*() {
      const native = yield* Effect.tracer
      const spans: Array<Tracer.Span> = []
      const tracer = Tracer.make({
        span: (...args) => {
          const span = native.span(...args)
          spans.push(span)
          return span
        },
        context: native.context
      })
      const sim = yield* Effect.withTracer(Simulator.make(), tracer)
      const { sessionId } = yield* sim.createSession({})
      yield* request(sim, "GET", progressPath(sessionId))
      const server = spans.filter((span) => span.name.startsWith("http.server"))
      expect(server.length).toBeGreaterThan(0)
      const attributes = JSON.stringify(server.map((span) => Object.fromEntries(span.attributes)))
      expect(attributes).toContain("<redacted>")
      expect(attributes).not.toContain(sim.serverHash)
      expect(attributes).not.toContain(sim.apiKey)
    }))
})
