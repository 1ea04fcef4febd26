import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { Simulator } from "../src/index.js"
import { initiatePath, request } from "./utils/http.js"
import { createSession, deletePath, pdf, upload, uploadPdf, uploadStatusPath } from "./utils/lifecycle.js"

const code = (answer: { status: number; json: any }) => [answer.status, answer.json?.error?.code]

const window = { from_date: "01/01/2025", to_date: "31/03/2025" }

describe("POST /statement/upload_session/", () => {
  it.scoped("accepts a PDF: statement, account, identity, date range and months", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make()
      const sessionId = yield* createSession(sim, { ...window, bank_name: "axis" })
      const answer = yield* uploadPdf(sim, sessionId, pdf("one"), { pdf_password: "" })
      expect(answer.status).toBe(200)
      expect(answer.json).toEqual({
        statement_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        account_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        session_id: sessionId,
        bank_name: "axis",
        status: 1,
        identity: expect.objectContaining({
          account_number: expect.stringMatching(/^\d{14}$/),
          name: expect.any(String),
          account_category: "individual",
          bank_name: "axis"
        }),
        is_fraud: false,
        date_range: { from_date: "2025-01-01", to_date: "2025-03-31" },
        months: ["2025-01", "2025-02", "2025-03"],
        missing_months: []
      })
      // a second PDF of the same bank is the same account
      const second = yield* uploadPdf(sim, sessionId, pdf("two"))
      expect(second.json.account_id).toBe(answer.json.account_id)
      const log = yield* sim.requests
      expect(log.map((r) => [r.path, r.status, r.sessionId, r.authorized])).toEqual([
        ["/bank-connect/v1/session/", 200, sessionId, true],
        ["/bank-connect/v1/statement/upload_session/", 200, sessionId, true],
        ["/bank-connect/v1/statement/upload_session/", 200, sessionId, true]
      ])
    }))

  it.scoped("takes BASE64 as a text field or a file part, and a file_url (a stub stands for it)", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make()
      const sessionId = yield* createSession(sim, window)
      const base64 = Buffer.from(pdf("b64")).toString("base64")
      const text = yield* upload(sim, { session_id: sessionId, upload_type: "BASE64", file: base64 })
      expect(text.status).toBe(200)
      const part = yield* upload(sim, {
        session_id: sessionId,
        upload_type: "base64",
        file: new TextEncoder().encode(`data:application/pdf;base64,${Buffer.from(pdf("b64 part")).toString("base64")}`)
      })
      expect(part.status).toBe(200)
      const url = yield* upload(sim, {
        session_id: sessionId,
        upload_type: "PDF",
        file_url: "https://files.example/statement.pdf"
      })
      expect(url.status).toBe(200)
      const status = yield* request(sim, "GET", uploadStatusPath(sessionId))
      expect(status.json.accounts[0].statements).toHaveLength(3)
    }))

  it.scoped("answers the file codes: MISSING_FILE_OBJECT, EMPTY_FILE, INVALID_FILE_OBJECT, INVALID_BASE_64, INVALID_FILE_URL", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make()
      const sessionId = yield* createSession(sim, window)
      const base = { session_id: sessionId, upload_type: "PDF" }
      const cases: ReadonlyArray<readonly [Record<string, string | Uint8Array>, string]> = [
        [base, "MISSING_FILE_OBJECT"],
        [{ ...base, file: new Uint8Array(0) }, "EMPTY_FILE"],
        [{ ...base, file: new TextEncoder().encode("GIF89a not a pdf") }, "INVALID_FILE_OBJECT"],
        [{ ...base, upload_type: "BASE64", file: "%%% not base64 %%%" }, "INVALID_BASE_64"],
        [{ ...base, upload_type: "BASE64", file: "   " }, "EMPTY_FILE"],
        [{ ...base, upload_type: "BASE64", file: Buffer.from("hello").toString("base64") }, "INVALID_FILE_OBJECT"],
        [{ ...base, file_url: "ftp://files.example/a.pdf" }, "INVALID_FILE_URL"],
        [{ ...base, file_url: "not a url" }, "INVALID_FILE_URL"]
      ]
      for (const [fields, expected] of cases) {
        const answer = yield* upload(sim, fields)
        expect([expected, ...code(answer)]).toEqual([expected, 400, expected])
        expect(answer.json).toEqual({
          session_id: "",
          statement_id: "",
          error: { code: expected, message: expect.any(String) }
        })
      }
      // refused uploads keep nothing
      expect((yield* request(sim, "GET", uploadStatusPath(sessionId))).json.upload_status).toBe("NO_UPLOAD")
    }))

  it.scoped("answers the content codes a scenario scripts by upload order, and the ones that happen on their own", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make({
        scenario: {
          uploads: [
            { password: "1234" },
            { error: "PDF_IS_IMAGE" },
            { error: "STATEMENT_UNSUPPORTED_FORMAT" },
            { months: ["2024-06", "2024-07"] },
            { bankName: "icici" },
            { error: "BANK_NAME_UNDETECTED" },
            { error: "INVALID_ACCOUNT_CATEGORY" },
            { error: "TRIAL_PERIOD_EXPIRED" },
            { error: "INVALID_API_KEY" },
            { error: "SESSION_EXPIRED" }
          ]
        }
      })
      const sessionId = yield* createSession(sim, { ...window, bank_name: "hdfc" })
      const send = (text: string, fields: Record<string, string> = {}) => uploadPdf(sim, sessionId, pdf(text), fields)
      // 0: needs its password
      expect(code(yield* send("a", { pdf_password: "wrong" }))).toEqual([400, "PASSWORD_INCORRECT"])
      expect(code(yield* send("b"))).toEqual([400, "PDF_IS_IMAGE"]) // 1
      expect(code(yield* send("c"))).toEqual([400, "STATEMENT_UNSUPPORTED_FORMAT"]) // 2
      expect(code(yield* send("d"))).toEqual([400, "OUT_OF_DATE_RANGE"]) // 3: months outside the window
      expect(code(yield* send("e"))).toEqual([400, "BANK_NAME_MISMATCH"]) // 4: an ICICI statement, an HDFC session
      expect(code(yield* send("f"))).toEqual([400, "BANK_NAME_UNDETECTED"]) // 5
      expect(code(yield* send("g"))).toEqual([400, "INVALID_ACCOUNT_CATEGORY"]) // 6
      expect(code(yield* send("h"))).toEqual([402, "TRIAL_PERIOD_EXPIRED"]) // 7
      expect(code(yield* send("i"))).toEqual([403, "INVALID_API_KEY"]) // 8
      expect(code(yield* send("j"))).toEqual([400, "SESSION_EXPIRED"]) // 9
      // a call refused before its PDF is examined does not use up an entry
      expect(code(yield* upload(sim, { session_id: sessionId, upload_type: "PDF" }))).toEqual([
        400,
        "MISSING_FILE_OBJECT"
      ])
      // 10: past the script, accepted; then the same bytes again are a duplicate
      const accepted = yield* send("k", { pdf_password: "anything" })
      expect(accepted.status).toBe(200)
      expect(code(yield* send("k"))).toEqual([400, "STATEMENT_DUPLICATE"])
      // a bank_name other than the session's is a mismatch on its own
      expect(code(yield* send("l", { bank_name: "sbi" }))).toEqual([400, "BANK_NAME_MISMATCH"])
      const ok = yield* send("m", { bank_name: "HDFC" })
      expect([ok.status, ok.json.bank_name]).toEqual([200, "hdfc"])
      const log = yield* sim.requests
      expect(log.filter((r) => r.status !== 200).map((r) => r.errorCode)).toEqual([
        "PASSWORD_INCORRECT",
        "PDF_IS_IMAGE",
        "STATEMENT_UNSUPPORTED_FORMAT",
        "OUT_OF_DATE_RANGE",
        "BANK_NAME_MISMATCH",
        "BANK_NAME_UNDETECTED",
        "INVALID_ACCOUNT_CATEGORY",
        "TRIAL_PERIOD_EXPIRED",
        "INVALID_API_KEY",
        "SESSION_EXPIRED",
        "MISSING_FILE_OBJECT",
        "STATEMENT_DUPLICATE",
        "BANK_NAME_MISMATCH"
      ])
    }))

  it.scoped("scripts the right password, identity, months, fraud and accounts", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make()
      const { sessionId } = yield* sim.createSession({
        state: "upload",
        dateRange: { fromDate: "2025-01-01", toDate: "2025-03-31" },
        uploads: [
          { password: "1234", months: ["2025-01"], name: "ANANDA P", accountNumber: "924010040573135" },
          { months: ["2025-02", "2024-12"], accountNumber: "924010040573135", isFraud: true },
          { bankName: "axis" }
        ]
      })
      const first = yield* uploadPdf(sim, sessionId, pdf("1"), { pdf_password: "1234" })
      expect(first.json).toMatchObject({
        bank_name: "sbi",
        identity: { account_number: "924010040573135", name: "ANANDA P" },
        date_range: { from_date: "2025-01-01", to_date: "2025-01-31" },
        months: ["2025-01"],
        missing_months: ["2025-02", "2025-03"],
        is_fraud: false
      })
      const second = yield* uploadPdf(sim, sessionId, pdf("2"))
      expect(second.json).toMatchObject({
        account_id: first.json.account_id,
        months: ["2025-02"], // 2024-12 is outside the window
        missing_months: ["2025-03"],
        is_fraud: true
      })
      const third = yield* uploadPdf(sim, sessionId, pdf("3"))
      expect(third.json.bank_name).toBe("axis")
      expect(third.json.account_id).not.toBe(first.json.account_id)
    }))

  it.scoped("refuses a bad key, no credit, an unknown, deleted, expired or processing session", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make()
      const sessionId = yield* createSession(sim, window)
      const noKey = yield* upload(sim, { session_id: sessionId, upload_type: "PDF", file: pdf() }, {})
      expect(code(noKey)).toEqual([403, "INVALID_API_KEY"])
      expect(noKey.json.session_id).toBe("")
      const wrongKey = yield* upload(sim, { session_id: sessionId, upload_type: "PDF", file: pdf() }, {
        "x-api-key": "nope"
      })
      expect(code(wrongKey)).toEqual([403, "INVALID_API_KEY"])
      // the server hash is not needed, and not enough
      const hashOnly = yield* upload(sim, { session_id: sessionId, upload_type: "PDF", file: pdf() }, {
        "server-hash": sim.serverHash
      })
      expect(hashOnly.status).toBe(403)
      yield* sim.setSettings({ outOfCredit: true })
      expect(code(yield* uploadPdf(sim, sessionId))).toEqual([402, "TRIAL_PERIOD_EXPIRED"])
      yield* sim.setSettings({ outOfCredit: false })

      expect(code(yield* uploadPdf(sim, "no-such-session"))).toEqual([404, "SESSION_NOT_FOUND"])
      expect(code(yield* upload(sim, { upload_type: "PDF", file: pdf() }))).toEqual([400, "INVALID_REQUEST"])
      expect(code(yield* upload(sim, { session_id: sessionId, upload_type: "DOCX", file: pdf() }))).toEqual([
        400,
        "INVALID_REQUEST"
      ])
      const unknownBank = yield* uploadPdf(sim, sessionId, pdf(), { bank_name: "gringotts" })
      expect(unknownBank.status).toBe(400)
      expect(unknownBank.json.error.code).toBeUndefined()
      expect(unknownBank.json.error.message).toContain("Please use following bank strings")

      // processing requested: closed to uploads
      expect((yield* uploadPdf(sim, sessionId, pdf("x"))).status).toBe(200)
      expect((yield* request(sim, "POST", initiatePath(sessionId))).status).toBe(202)
      expect(code(yield* uploadPdf(sim, sessionId, pdf("y")))).toEqual([400, "UPLOAD_NOT_ALLOWED"])
      // scripted sessions have their statements already
      const scripted = yield* sim.createSession({ state: "not_requested" })
      expect(code(yield* uploadPdf(sim, scripted.sessionId))).toEqual([400, "UPLOAD_NOT_ALLOWED"])

      // expired: an hour by default
      const later = yield* createSession(sim, window)
      yield* TestClock.adjust("59 minutes")
      expect((yield* uploadPdf(sim, later, pdf("in time"))).status).toBe(200)
      yield* TestClock.adjust("1 minute")
      expect(code(yield* uploadPdf(sim, later, pdf("too late")))).toEqual([400, "SESSION_EXPIRED"])
      const short = yield* createSession(sim, { ...window, session_expiry: 5 })
      yield* TestClock.adjust("5 minutes")
      expect(code(yield* uploadPdf(sim, short))).toEqual([400, "SESSION_EXPIRED"])

      expect((yield* request(sim, "DELETE", deletePath(later))).status).toBe(200)
      expect(code(yield* uploadPdf(sim, later, pdf("gone")))).toEqual([410, "SESSION_DELETED"])
    }))

  it.scoped("answers 415 for a body that is not multipart/form-data", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make()
      const sessionId = yield* createSession(sim, window)
      const json = yield* request(sim, "POST", "/bank-connect/v1/statement/upload_session/", {
        headers: { "x-api-key": sim.apiKey, "content-type": "application/json" },
        body: JSON.stringify({ session_id: sessionId, upload_type: "PDF" })
      })
      expect(code(json)).toEqual([415, "UNSUPPORTED_MEDIA_TYPE"])
      const garbage = yield* request(sim, "POST", "/bank-connect/v1/statement/upload_session/", {
        headers: { "x-api-key": sim.apiKey, "content-type": "multipart/form-data; boundary=abc" },
        body: "this is not a multipart body"
      })
      expect(garbage.status).toBe(400)
    }))
})
