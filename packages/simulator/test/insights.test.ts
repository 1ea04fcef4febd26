import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { Limits, Simulator } from "../src/index.js"
import { initiatePath, request } from "./utils/http.js"
import { createSession, deletePath, follow, insightsPath, pdf, uploadPdf } from "./utils/lifecycle.js"

const code = (answer: { status: number; json: any }) => [answer.status, answer.json?.error?.code]

const window = { from_date: "11/08/2025", to_date: "11/11/2025" }

/** A session made over the API, uploaded, processed and completed; its id. */
const processed = (sim: Simulator.Service, body: Record<string, unknown> = window, uploads = 1) =>
  Effect.gen(function*() {
    const sessionId = yield* createSession(sim, body)
    for (let i = 0; i < uploads; i++) yield* uploadPdf(sim, sessionId, pdf(`statement ${i}`))
    yield* request(sim, "POST", initiatePath(sessionId))
    yield* TestClock.adjust("4 seconds")
    return sessionId
  })

const monYyyy = /^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-\d{4}$/
const monYy = /^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-\d{2}$/

describe("GET .../insights/", () => {
  it.scoped("answers the documented shape, made up from the scenario", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make({ scenario: { uploads: [{ isFraud: true }], insights: { transactions: 40 } } })
      yield* TestClock.setTime(Date.UTC(2025, 11, 1))
      const sessionId = yield* processed(sim, { ...window, link_id: "test_docs", bank_name: "axis" })
      const answer = yield* request(sim, "GET", insightsPath(sessionId))
      expect(answer.status).toBe(200)
      expect(answer.headers.get("content-type")).toContain("application/json")
      expect(Number(answer.headers.get("content-length"))).toBe(Buffer.byteLength(answer.text))
      const body = answer.json
      expect(Object.keys(body)).toEqual([
        "session_id",
        "link_id",
        "session_date_range",
        "accounts",
        "aggregate_monthly_analysis",
        "aggregate_xlsx_report_url",
        "aggregate_xml_report_url"
      ])
      expect(body).toMatchObject({
        session_id: sessionId,
        link_id: "test_docs",
        session_date_range: { from_date: "2025-08-11", to_date: "2025-11-11" }
      })
      const [account] = body.accounts
      const data = account.data
      expect(Object.keys(data).sort()).toEqual([
        "account_details",
        "bounced_or_penal_transactions",
        "eod_balances",
        "expense_categories",
        "fraud",
        "fraud_details",
        "lender_transactions",
        "monthly_analysis",
        "predictors",
        "recurring_transactions",
        "salary_transactions",
        "score",
        "self_and_sister_transactions",
        "statement_stats",
        "top_credits_debits",
        "transactions",
        "xlsx_report_url"
      ])
      expect(data.account_details).toMatchObject({
        bank: "axis",
        account_number: expect.stringMatching(/^\d{14}$/), // unmasked
        account_category: "individual",
        months: ["2025-08", "2025-09", "2025-10", "2025-11"],
        account_opening_date: null,
        dob: "",
        country_code: "IN",
        currency_code: "INR",
        metadata_analysis: { name_matches: [] }
      })
      // transactions: the Txn shape, oldest first
      expect(data.transactions).toHaveLength(40)
      for (const txn of data.transactions) {
        expect(Object.keys(txn)).toEqual([
          "transaction_type",
          "transaction_note",
          "chq_num",
          "amount",
          "balance",
          "date",
          "hash",
          "category",
          "metadata"
        ])
        expect(txn.hash).toMatch(/^[0-9a-f]{32}$/)
        expect(txn.date).toMatch(/^2025-(08|09|10|11)-\d{2} 00:00:00$/)
        expect(txn.amount).toBeGreaterThan(0)
        expect(["credit", "debit"]).toContain(txn.transaction_type)
        expect(Object.keys(txn.metadata)).toEqual(["unclean_merchant", "transaction_channel", "description"])
      }
      const dates = data.transactions.map((t: any) => t.date)
      expect([...dates].sort()).toEqual(dates)
      expect(data.transactions[0].date >= "2025-08-11").toBe(true)
      expect(new Set(data.transactions.map((t: any) => t.hash)).size).toBe(40)
      // salary and flat lists; the same transaction keeps its hash across lists
      const hashes = new Set(data.transactions.map((t: any) => t.hash))
      expect(data.salary_transactions.length).toBeGreaterThan(0)
      for (const salary of data.salary_transactions) {
        expect(salary.employer_name).toEqual(expect.any(String))
        expect(salary.salary_month).toMatch(monYyyy)
        expect(hashes.has(salary.hash)).toBe(true)
      }
      for (const flat of data.lender_transactions) {
        expect(flat).toHaveProperty("transaction_channel")
        expect(flat).toHaveProperty("merchant_category")
        expect(flat).not.toHaveProperty("metadata")
      }
      expect(Object.keys(data.recurring_transactions)).toEqual(["debit_transactions", "credit_transactions"])
      expect(data.recurring_transactions.credit_transactions[0]).toMatchObject({
        account_id: account.account_id,
        transaction_channel: "OTHER",
        median: expect.any(Number)
      })
      expect(data.top_credits_debits.map((t: any) => t.type)).toEqual(["top_5_debit", "top_5_credit"])
      for (const month of data.top_credits_debits[0].data) {
        expect(month.month).toMatch(monYy)
        expect(month.data.length).toBeLessThanOrEqual(5)
        for (const txn of month.data) expect(txn.date).toMatch(/^\d{2}-[A-Z][a-z]{2}-\d{2}$/)
      }
      expect(data.fraud).toEqual([{
        statement_id: data.account_details.statements[0],
        fraud_type: "author_fraud",
        transaction_hash: null,
        fraud_category: "metadata"
      }])
      expect(data.fraud_details).toEqual({ statement: [], account: [] })
      expect(data.statement_stats[0]).toMatchObject({ source: "PDF", bank: "axis", transaction_count: 40 })
      expect(data.expense_categories.every((c: any) => Number.isInteger(c.percentage))).toBe(true)
      // monthly analysis: Mon-YYYY keys, numbers or null, and the documented exceptions
      expect(Object.keys(data.monthly_analysis.closing_balance)).toEqual([
        "Aug-2025",
        "Sep-2025",
        "Oct-2025",
        "Nov-2025"
      ])
      expect(data.monthly_analysis.no_of_days_to_serve_cc_interest["Aug-2025"]).toBe("0")
      expect(data.monthly_analysis.start_date["Aug-2025"]).toBe("11-Aug-2025")
      expect(data.monthly_analysis.transaction_start_date["Aug-2025"]).toBe("11-Aug-25")
      expect(Object.keys(body.aggregate_monthly_analysis)).toEqual(Object.keys(data.monthly_analysis))
      // predictors: a flat record of mixed types, months by index from the latest
      const predictors = data.predictors
      expect(predictors.month_0).toBe("Nov-25")
      expect(predictors.month_3).toBe("Aug-25")
      expect(predictors.month_4).toBeNull()
      for (let i = 0; i < 12; i++) expect(predictors).toHaveProperty(`income_${i}`)
      expect(typeof predictors.income_0).toBe("number")
      expect(predictors.income_11).toBeNull()
      expect(predictors.author_fraud).toBe(true)
      expect(predictors.bank_connect_status).toBe("Verified")
      for (const value of Object.values(predictors)) {
        expect(["number", "string", "boolean"].includes(typeof value) || value === null).toBe(true)
      }
      // EOD balances: a slot per day, null outside the data
      const eod = data.eod_balances
      expect(eod.Months_order).toEqual(["Aug-25", "Sep-25", "Oct-25", "Nov-25"])
      expect(eod.start_date).toEqual(["11-Aug-25", "01-Sep-25", "01-Oct-25", "01-Nov-25"])
      expect(eod["Aug-25"]).toHaveLength(31)
      expect(eod["Aug-25"].slice(0, 10)).toEqual(Array(10).fill(null))
      expect(typeof eod["Aug-25"][10]).toBe("number")
      expect(eod["Nov-25"]).toHaveLength(30)
      expect(eod["Nov-25"][11]).toBeNull()
      expect(typeof eod.starting_balance).toBe("number")
      expect(typeof data.score).toBe("number")
      for (const url of [data.xlsx_report_url, body.aggregate_xlsx_report_url, body.aggregate_xml_report_url]) {
        expect(url.startsWith(`${sim.url}/__simulator/reports/${sessionId}/`)).toBe(true)
        expect(url).toContain("X-Amz-Expires=3600")
        expect(url).toContain("X-Amz-Date=20251201T000004Z")
      }
      expect(body.aggregate_xlsx_report_url).toContain(`/entity_report_${sessionId}.xlsx?`)
      expect(body.aggregate_xml_report_url).toContain(`/xml_report/entity_report_${sessionId}.xml?`)
      expect(data.xlsx_report_url).toContain(`/account_report_${account.account_id}.xlsx?`)
    }))

  it.scoped("answers the five errors of session status", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make()
      const sessionId = yield* createSession(sim, window)
      expect(code(yield* request(sim, "GET", insightsPath(sessionId)))).toEqual([400, "PROCESSING_NOT_REQUESTED"])
      yield* uploadPdf(sim, sessionId)
      yield* request(sim, "POST", initiatePath(sessionId))
      expect(code(yield* request(sim, "GET", insightsPath(sessionId)))).toEqual([400, "PROCESSING_NOT_COMPLETED"])
      expect(code(yield* request(sim, "GET", insightsPath("nope")))).toEqual([404, "SESSION_NOT_FOUND"])
      expect(code(yield* request(sim, "GET", insightsPath(sessionId), { headers: {} }))).toEqual([403, "ACCESS_DENIED"])
      yield* request(sim, "DELETE", deletePath(sessionId))
      expect(code(yield* request(sim, "GET", insightsPath(sessionId)))).toEqual([410, "SESSION_DELETED"])
    }))

  it.scoped("serves the report links' bytes, for an hour by the Clock, and only with their signature", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make()
      const sessionId = yield* processed(sim)
      const body = (yield* request(sim, "GET", insightsPath(sessionId))).json
      const xlsx = yield* follow(body.aggregate_xlsx_report_url)
      expect(xlsx.status).toBe(200)
      expect(xlsx.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
      expect(Buffer.from(xlsx.bytes.subarray(0, 4)).toString("latin1")).toBe("PK\u0003\u0004")
      expect(Buffer.from(xlsx.bytes).toString("latin1")).toContain(sessionId)
      const xml = yield* follow(body.aggregate_xml_report_url)
      expect([xml.status, Buffer.from(xml.bytes).toString().startsWith("<?xml")]).toEqual([200, true])
      expect((yield* follow(body.accounts[0].data.xlsx_report_url)).status).toBe(200)
      // tampered: refused
      const tampered = yield* follow(
        body.aggregate_xlsx_report_url.replace(/X-Amz-Signature=[0-9a-f]/, "X-Amz-Signature=g")
      )
      expect(tampered.status).toBe(403)
      expect(Buffer.from(tampered.bytes).toString()).toContain("SignatureDoesNotMatch")
      const otherFile = yield* follow(body.aggregate_xlsx_report_url.replace("entity_report_", "entity_reportx_"))
      expect(otherFile.status).toBe(403)
      // an hour later: expired, as S3 answers
      yield* TestClock.adjust("59 minutes")
      expect((yield* follow(body.aggregate_xlsx_report_url)).status).toBe(200)
      yield* TestClock.adjust("1 minute")
      const expired = yield* follow(body.aggregate_xlsx_report_url)
      expect(expired.status).toBe(403)
      expect(Buffer.from(expired.bytes).toString()).toContain("<Code>AccessDenied</Code><Message>Request has expired")
      // a new call mints fresh links
      const fresh = (yield* request(sim, "GET", insightsPath(sessionId))).json
      expect(fresh.aggregate_xlsx_report_url).not.toBe(body.aggregate_xlsx_report_url)
      expect((yield* follow(fresh.aggregate_xlsx_report_url)).status).toBe(200)
      // a deleted session's reports are gone
      yield* request(sim, "DELETE", deletePath(sessionId))
      expect((yield* follow(fresh.aggregate_xlsx_report_url)).status).toBe(404)
      const log = (yield* sim.requests).filter((r) => r.path.startsWith("/__simulator/reports/"))
      expect(log.map((r) => [r.status, r.authorized])).toEqual([
        [200, true],
        [200, true],
        [200, true],
        [403, false],
        [403, false],
        [200, true],
        [403, false],
        [200, true],
        [404, true]
      ])
    }))

  it.scoped("is the same, byte for byte, for the same seed; another seed gives other data", () =>
    Effect.gen(function*() {
      const journey = (seed: number, port: number, insightsSeed?: number) =>
        Effect.scoped(Effect.gen(function*() {
          yield* TestClock.setTime(Date.UTC(2025, 11, 1))
          const sim = yield* Simulator.make({
            seed,
            port,
            scenario: {
              insights: { months: 12, transactions: 300, ...(insightsSeed === undefined ? {} : { seed: insightsSeed }) }
            }
          })
          const sessionId = yield* processed(sim, { from_date: "01/01/2025", to_date: "30/11/2025" }, 2)
          const first = (yield* request(sim, "GET", insightsPath(sessionId))).text
          const again = (yield* request(sim, "GET", insightsPath(sessionId))).text
          expect(again).toBe(first)
          return { port: sim.port, text: first, json: JSON.parse(first) }
        }))
      const a = yield* journey(42, 0)
      // the same port, so that the links' origin is the same too
      const b = yield* journey(42, a.port)
      expect(b.text).toBe(a.text)
      expect(a.json.accounts[0].data.transactions).toHaveLength(300)
      const c = yield* journey(43, a.port)
      expect(c.text).not.toBe(a.text)
      expect(c.json.session_id).not.toBe(a.json.session_id)
      // the scenario's insights seed decides the money, whatever the ids (the holder's name is the session's)
      const money = (r: typeof a) => r.json.accounts[0].data.transactions.map((t: any) => [t.date, t.amount, t.hash])
      const d = yield* journey(43, a.port, 7)
      const e = yield* journey(44, a.port, 7)
      expect(e.json.session_id).not.toBe(d.json.session_id)
      expect(money(e)).toEqual(money(d))
      expect(money(d)).not.toEqual(money(c))
    }))

  it.scoped("holds 12 months and 5,000 transactions", () =>
    Effect.gen(function*() {
      const sim = yield* Simulator.make()
      const { sessionId } = yield* sim.createSession({
        dateRange: { fromDate: "2024-01-01", toDate: "2024-12-31" },
        insights: { months: 12, transactions: 5_000 }
      })
      yield* TestClock.adjust("4 seconds")
      const answer = yield* request(sim, "GET", insightsPath(sessionId))
      expect(answer.status).toBe(200)
      expect(Number(answer.headers.get("content-length"))).toBe(Buffer.byteLength(answer.text))
      const data = answer.json.accounts[0].data
      expect(data.transactions).toHaveLength(5_000)
      expect(data.eod_balances.Months_order).toHaveLength(12)
      expect(Object.keys(data.monthly_analysis.total_credit)).toHaveLength(12)
      expect(data.predictors.month_11).toBe("Jan-24")
      expect(data.statement_stats[0].transaction_count).toBe(5_000)
    }))

  it.scoped(
    "stays within Limits.maxInsightsBytes and Limits.maxTransactionsPerSession at the largest scenario",
    () =>
      Effect.gen(function*() {
        const sim = yield* Simulator.make()
        const { sessionId } = yield* sim.createSession({
          accounts: Array.from({ length: Limits.maxAccounts }, () => ({ statements: 10 })) as never,
          dateRange: { fromDate: "2021-01-01", toDate: "2025-12-31" },
          insights: { months: Limits.maxInsightsMonths, transactions: Limits.maxTransactionsPerSession }
        })
        yield* TestClock.adjust("4 seconds")
        const answer = yield* request(sim, "GET", insightsPath(sessionId))
        expect(answer.status).toBe(200)
        expect(Buffer.byteLength(answer.text)).toBeLessThanOrEqual(Limits.maxInsightsBytes)
        const accounts = answer.json.accounts
        expect(accounts).toHaveLength(Limits.maxAccounts)
        const total = accounts.reduce((sum: number, a: any) => sum + a.data.transactions.length, 0)
        expect(total).toBe(Limits.maxTransactionsPerSession)
        // a scenario cannot ask for more
        const more = yield* Effect.flip(
          sim.createSession({ insights: { transactions: Limits.maxTransactionsPerSession + 1 } })
        )
        expect(more.message).toContain("Limits.maxTransactionsPerSession")
        const months = yield* Effect.flip(sim.createSession({ insights: { months: Limits.maxInsightsMonths + 1 } }))
        expect(months.message).toContain("Limits.maxInsightsMonths")
      }),
    60_000
  )
})
