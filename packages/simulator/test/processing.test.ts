import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { Simulator } from "../src/index.js"
import { initiatePath, progressPath, request, statusPath } from "./utils/http.js"
import { createSession, deletePath, pdf, uploadPdf } from "./utils/lifecycle.js"

const code = (answer: { status: number; json: any }) => [answer.status, answer.json?.error?.code]

const window = { from_date: "01/01/2025", to_date: "31/03/2025" }

describe("POST .../initiate_processing/", () => {
  it.scoped("starts an uploaded session: 202, progress from the uploads, then DUPLICATE_PROCESSING_REQUEST 400", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make()
      const sessionId = yield* createSession(sim, window)
      const one = yield* uploadPdf(sim, sessionId, pdf("1"))
      const two = yield* uploadPdf(sim, sessionId, pdf("2"))
      const notYet = yield* request(sim, "GET", progressPath(sessionId))
      expect(code(notYet)).toEqual([400, "PROCESSING_NOT_REQUESTED"])
      const started = yield* request(sim, "POST", initiatePath(sessionId))
      expect([started.status, started.json]).toEqual([202, { session_id: sessionId, message: "success" }])
      const progress = (yield* request(sim, "GET", progressPath(sessionId))).json
      expect(progress.session_progress).toBe("processing")
      expect(progress.progress.map((s: any) => s.statement_id)).toEqual([one.json.statement_id, two.json.statement_id])
      const again = yield* request(sim, "POST", initiatePath(sessionId))
      expect(code(again)).toEqual([400, "DUPLICATE_PROCESSING_REQUEST"])
      expect(again.json.error.message).toBe("Request for processing have already been initiated")
      yield* TestClock.adjust("4 seconds")
      expect((yield* request(sim, "GET", progressPath(sessionId))).json.session_progress).toBe("completed")
      const [info] = yield* sim.sessions
      expect(info).toMatchObject({ state: "completed", accountIds: [one.json.account_id] })
      expect(info?.statementIds).toEqual([[one.json.statement_id, two.json.statement_id]])
    }))

  it.scoped("answers DUPLICATE_PROCESSING_REQUEST 409 when the option or the scenario says so", () =>
    Effect.gen(function*() {
      const older = yield* Simulator.make({ duplicateProcessingStatus: 409 })
      const a = yield* createSession(older, window)
      yield* uploadPdf(older, a)
      yield* request(older, "POST", initiatePath(a))
      expect(code(yield* request(older, "POST", initiatePath(a)))).toEqual([409, "DUPLICATE_PROCESSING_REQUEST"])
      const scripted = yield* older.createSession({ state: "not_requested", duplicateProcessingStatus: 400 })
      yield* request(older, "POST", initiatePath(scripted.sessionId))
      expect(code(yield* request(older, "POST", initiatePath(scripted.sessionId)))).toEqual([
        400,
        "DUPLICATE_PROCESSING_REQUEST"
      ])
      const sim = yield* Simulator.make({ scenario: { duplicateProcessingStatus: 409 } })
      const b = yield* createSession(sim, window)
      yield* uploadPdf(sim, b)
      yield* request(sim, "POST", initiatePath(b))
      expect(code(yield* request(sim, "POST", initiatePath(b)))).toEqual([409, "DUPLICATE_PROCESSING_REQUEST"])
    }))

  it.scoped("answers NO_STATEMENTS_UPLOADED, UNPARSABLE_STATEMENTS (and stays open), 404, 410, 403", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make({ scenario: { uploads: [{ unparsable: true }, { unparsable: true }] } })
      const sessionId = yield* createSession(sim, window)
      expect(code(yield* request(sim, "POST", initiatePath(sessionId)))).toEqual([400, "NO_STATEMENTS_UPLOADED"])
      yield* uploadPdf(sim, sessionId, pdf("1"))
      yield* uploadPdf(sim, sessionId, pdf("2"))
      const unparsable = yield* request(sim, "POST", initiatePath(sessionId))
      expect(code(unparsable)).toEqual([400, "UNPARSABLE_STATEMENTS"])
      expect(unparsable.json.error.message).toBe("The uploaded statements are not parsable")
      // still open: a parsable statement, and processing starts
      const good = yield* uploadPdf(sim, sessionId, pdf("3"))
      expect(good.status).toBe(200)
      expect((yield* request(sim, "POST", initiatePath(sessionId))).status).toBe(202)
      expect(code(yield* request(sim, "POST", initiatePath("nope")))).toEqual([404, "SESSION_NOT_FOUND"])
      yield* request(sim, "DELETE", deletePath(sessionId))
      expect(code(yield* request(sim, "POST", initiatePath(sessionId)))).toEqual([410, "SESSION_DELETED"])
      const denied = yield* request(sim, "POST", initiatePath(sessionId), { headers: {} })
      expect(code(denied)).toEqual([403, "ACCESS_DENIED"])
    }))
})

describe("GET .../session_status/", () => {
  it.scoped("answers the 2025 shape: statement objects, account details, ISO created_at", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make({
        scenario: {
          accounts: [{}, { outcome: { status: "failed", errorCode: "INCOMPLETE_MONTHS", months: ["2025-02"] } }],
          uploads: [{}, { unparsable: true }, { bankName: "icici" }]
        }
      })
      yield* TestClock.setTime(Date.UTC(2025, 10, 13, 7, 35, 31, 956))
      const sessionId = yield* createSession(sim, window)
      const first = yield* uploadPdf(sim, sessionId, pdf("1"))
      const second = yield* uploadPdf(sim, sessionId, pdf("2"))
      const third = yield* uploadPdf(sim, sessionId, pdf("3"))
      expect(code(yield* request(sim, "GET", statusPath(sessionId)))).toEqual([400, "PROCESSING_NOT_REQUESTED"])
      yield* request(sim, "POST", initiatePath(sessionId))
      yield* TestClock.adjust("2 seconds")
      expect(code(yield* request(sim, "GET", statusPath(sessionId)))).toEqual([400, "PROCESSING_NOT_COMPLETED"])
      yield* TestClock.adjust("2 seconds")
      const status = yield* request(sim, "GET", statusPath(sessionId))
      expect(status.status).toBe(200)
      const statement = (id: string, failed: boolean) => ({
        statement_id: id,
        statement_status: failed ? "failed" : "completed",
        error_code: failed ? "UNPARSABLE" : null,
        error_message: failed ? "Failed to process because of an unparsable statement" : null,
        source: "pdf",
        created_at: "2025-11-13T07:35:31.956000Z"
      })
      expect(status.json).toEqual({
        session_id: sessionId,
        insights_available: true,
        accounts: [
          {
            account_id: first.json.account_id,
            account_number: expect.stringMatching(/^X{10}\d{4}$/),
            bank_name: "sbi",
            name: first.json.identity.name,
            account_category: "individual",
            account_type: "SAVINGS",
            full_bank_name: "State Bank of India",
            attempt_types: ["PDF"],
            account_status: "completed",
            error_code: null,
            error_message: null,
            created_at: "2025-11-13 07:35:31",
            last_updated_at: "2025-11-13 07:35:31",
            statements: [statement(first.json.statement_id, false), statement(second.json.statement_id, true)]
          },
          expect.objectContaining({
            account_id: third.json.account_id,
            bank_name: "icici",
            full_bank_name: "ICICI Bank",
            account_status: "failed",
            error_code: "INCOMPLETE_MONTHS",
            error_message: "Insufficient data to generate report. There are no transactions for Feb 2025",
            statements: [statement(third.json.statement_id, false)]
          })
        ]
      })
      // progress agrees: the unparsable statement failed at transaction extraction
      const progress = (yield* request(sim, "GET", progressPath(sessionId))).json.progress
      expect(progress[1]).toMatchObject({
        statement_id: second.json.statement_id,
        transaction_status: "failed",
        message: "Failed to process because of an unparsable statement"
      })
      expect(progress[0].fraud_status).toBe("completed")
    }))

  it.scoped("keeps scripted sessions' statuses, with statement objects now", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make()
      const { accountIds, sessionId, statementIds } = yield* sim.createSession({
        accounts: [{ statements: 2 }, { outcome: { status: "failed", errorCode: "UNPARSABLE" } }]
      })
      yield* TestClock.adjust("4 seconds")
      const body = (yield* request(sim, "GET", statusPath(sessionId))).json
      expect(body.insights_available).toBe(true)
      expect(body.accounts.map((a: any) => [a.account_id, a.account_status, a.error_code])).toEqual([
        [accountIds[0], "completed", null],
        [accountIds[1], "failed", "UNPARSABLE"]
      ])
      expect(body.accounts[0].statements.map((s: any) => [s.statement_id, s.statement_status])).toEqual([
        [statementIds[0]![0], "completed"],
        [statementIds[0]![1], "completed"]
      ])
      expect(body.accounts[1].statements[0]).toMatchObject({ statement_status: "failed", error_code: "UNPARSABLE" })
      expect(body.accounts[0].statements[0].created_at).toBe("1970-01-01T00:00:00.000000Z")
      const code404 = yield* request(sim, "GET", statusPath("nope"))
      expect(code(code404)).toEqual([404, "SESSION_NOT_FOUND"])
      yield* sim.deleteSession(sessionId)
      expect(code(yield* request(sim, "GET", statusPath(sessionId)))).toEqual([410, "SESSION_DELETED"])
      expect(code(yield* request(sim, "GET", statusPath(sessionId), { headers: {} }))).toEqual([403, "ACCESS_DENIED"])
    }))
})
