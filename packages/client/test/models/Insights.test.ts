import { describe, expect, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Insights from "../../src/Insights.js"
import * as UploadStatus from "../../src/UploadStatus.js"
import { fakeToken, flatTxn, insights2024, insights2025, insightsMay24, reportUrl, txn2025 } from "./fixtures.js"
import { expectSameDecoding, largeInsights } from "./insightsSupport.js"

const schema = Schema.decodeUnknownEither(Insights.Insights)
const iso = (value: DateTime.Utc | undefined) => value === undefined ? undefined : DateTime.formatIso(value)
const decodeSync = (json: unknown) => Either.getOrThrow(Insights.decodeEither(json))
const issues = (json: unknown) => {
  const result = Insights.decodeEither(json)
  if (Either.isRight(result)) throw new Error("expected a failure")
  // `_tag` is "Transformation" or "Type" depending on how deep the schema wraps the check
  return ParseResult.ArrayFormatter.formatErrorSync(result.left).map(({ message, path }) => ({ path, message }))
}

describe("Insights", () => {
  it.effect("decodes the 2025 example", () =>
    Effect.gen(function*() {
      const insights = yield* Insights.decode(insights2025())
      expect(insights).toBeInstanceOf(Insights.Insights)
      expect(insights.link_id).toBe("test_docs")
      expect(iso(insights.session_date_range?.from)).toBe("2025-08-11T00:00:00.000Z")
      expect(insights.session_date_range).toBeInstanceOf(UploadStatus.IsoDateRange)

      const account = insights.accounts[0]!
      const data = account.data
      expect(data).toBeInstanceOf(Insights.AccountData)

      const details = data.account_details!
      expect(details.bank).toBe("axis")
      expect(details.dob).toBeNull()
      expect(details.account_status).toBeNull()
      expect(details.credit_limit).toBe(0)
      expect(details.micr).toBe("560211002")
      expect(details.uploadedMonths).toHaveLength(4)
      expect(iso(details.missing_data[0]!.from)).toBe("2025-11-03T00:00:00.000Z")
      expect(iso(details.transaction_date_range?.to)).toBe("2025-11-03T00:00:00.000Z")

      const [first, second] = data.transactions
      expect(first).toBeInstanceOf(Insights.Transaction)
      expect(first!.chq_num).toBeNull()
      expect(first!.amount).toBe(1609)
      expect(first!.metadata).toBeInstanceOf(Insights.TransactionMetadata)
      expect(first!.metadata?.transaction_channel).toBe("Other")
      expect(iso(first!.dateTime)).toBe("2025-08-11T00:00:00.000Z")
      expect(second!.transaction_type).toBe("debit")

      const salary = data.salary_transactions[0]!
      expect(salary).toBeInstanceOf(Insights.SalaryTransaction)
      expect(salary.employer_name).toBeNull()
      expect(salary.salaryMonth).toEqual({ year: 2025, month: 8 })

      const group = data.recurring_transactions!.debit_transactions[0]!
      expect(group).toBeInstanceOf(Insights.RecurringGroup)
      expect(group.transactions).toHaveLength(2)
      expect(group.transactions[0]).toBeInstanceOf(Insights.FlatTransaction)
      expect(group.transactions[0]!.chq_num).toBeNull()
      expect(group.transactions[0]!.merchant_category).toBeNull()
      expect(iso(group.end)).toBe("2025-08-30T00:00:00.000Z")
      expect(data.lender_transactions[0]!.merchant_category).toBe("loans")
      expect(data.self_and_sister_transactions[0]!.description).toBe("self_transfer")

      const top = data.top_credits_debits[0]!
      expect(top.type).toBe("top_5_debit")
      expect(top.data[0]!.yearMonth).toEqual({ year: 2025, month: 8 })
      expect(top.data[0]!.data[0]).toBeInstanceOf(Insights.TopTransaction)
      expect(iso(top.data[0]!.data[0]!.dateTime)).toBe("2025-08-14T00:00:00.000Z")

      expect(data.statement_stats[0]!.is_scanned_pdf).toBe(false)
      expect(iso(data.statement_stats[0]!.to)).toBe("2025-11-10T00:00:00.000Z")
      expect(data.expense_categories.map((c) => c.percentage)).toEqual([66, 31])
      expect(data.fraud_details?.statement).toEqual([])

      expect(data.monthly_analysis["loan_emi"]).toEqual({ bajajfi: [{ date: "2024-04-02 00:00:00", amount: 2176 }] })
      expect(Insights.monthly(data.monthly_analysis, "no_of_days_to_serve_cc_interest")).toEqual([
        { month: "Aug-2025", yearMonth: { year: 2025, month: 8 }, value: 0 }
      ])
      expect(Insights.monthly(data.monthly_analysis, "closing_balance").map((m) => m.value)).toEqual([3903, null])
      expect(Insights.monthly(data.monthly_analysis, "start_date")[0]!.value).toBeNull()
      expect(Insights.monthly(data.monthly_analysis, "nope")).toEqual([])
      expect(insights.aggregate_monthly_analysis["closing_balance"]).toEqual({ "Aug-2025": 3903 })

      expect(data.predictors["author_fraud"]).toBe(false)
      expect(data.predictors["bank_connect_status"]).toBe("Verified")
      expect(Insights.predictorNumber(data.predictors, "avg_of_avg_monthly_bal_12months")).toBe(339.66)
      expect(Insights.predictorNumber(data.predictors, "author_fraud")).toBeUndefined()
      expect(Insights.predictorSeries(data.predictors, "income")).toEqual([
        { index: 0, month: { year: 2025, month: 11 }, value: 34457 },
        { index: 1, month: { year: 2025, month: 10 }, value: null }
      ])

      const eod = data.eod_balances!
      expect(eod).toBeInstanceOf(Insights.EodBalances)
      expect(eod.Months_order).toEqual(["Aug-25", "Sep-25"])
      expect(eod.starting_balance).toBe(5)
      expect(eod.balances["Aug-25"]).toHaveLength(13)
      expect(eod.daily.map(({ balance, date }) => [iso(date)?.slice(0, 10), balance])).toEqual([
        ["2025-08-11", 5],
        ["2025-08-12", 5],
        ["2025-08-13", 244],
        ["2025-09-01", 244]
      ])
      expect(data.score).toBe(496)

      // the sliced decode gives what the schema gives
      expectSameDecoding(insights, Either.getOrThrow(schema(insights2025())))
    }))

  it("decodes the 2024 form: integers, no metadata or link_id, six start dates for seven months", () => {
    const insights = decodeSync(insights2024())
    expect(insights.link_id).toBeNull()
    expect(insights.session_date_range).toBeNull()
    expect(insights.aggregate_xml_report_url).toBeNull()
    expect(insights.aggregate_monthly_analysis).toEqual({})
    const data = insights.accounts[0]!.data
    expect(data.transactions[0]!.amount).toBe(2000)
    expect(data.transactions[0]!.metadata).toBeNull()
    expect(data.score).toBe(655)
    expect(data.fraud.map((f) => [f.statement_id, f.fraud_type, f.transaction_hash])).toEqual([
      ["99561b2e-9e8d-4666-b745-0f23e2207ba7", "author_fraud", null],
      [null, "inconsistent_transaction", "e3b833f17b070684ac584cf9a6a91e21"]
    ])
    expect(data.recurring_transactions?.debit_transactions[0]!.transaction_channel).toBe("AUTO_DEBIT_PAYMENT")
    expect(data.recurring_transactions?.debit_transactions[0]!.clean_transaction_note).toBe("6261915580")
    expect(data.self_and_sister_transactions).toEqual([])
    expect(data.statement_stats[0]!.is_scanned_pdf).toBeNull()
    expect(data.statement_stats[0]!.upload_file_name).toBeNull()
    const eod = data.eod_balances!
    expect(eod.Months_order).toHaveLength(7)
    expect(eod.start_date).toHaveLength(6)
    expect(eod.balances["Jun-24"]).toEqual([])
    expect(eod.daily.map(({ balance, date }) => [iso(date)?.slice(0, 10), balance])).toEqual([
      ["2024-03-03", 10],
      ["2024-03-04", 12.5]
    ])
    expectSameDecoding(insights, Either.getOrThrow(schema(insights2024())))
  })

  it("decodes the May 2024 form: a per-account XML link, null cheque numbers, timestamps in the top lists", () => {
    const insights = decodeSync(insightsMay24())
    const data = insights.accounts[0]!.data
    expect(data.account_details?.account_category).toBe("savings")
    expect(data.account_details?.ifsc).toBeNull()
    expect(data.account_details?.salary_confidence).toBeNull()
    expect(data.transactions[0]!.chq_num).toBeNull()
    expect(data.recurring_transactions).toBeNull()
    expect(data.eod_balances).toBeNull()
    expect(data.score).toBeNull()
    expect(data.predictors).toEqual({ month_0: "Feb-24", average_balance_0: 1234.5 })
    expect(iso(data.top_credits_debits[0]!.data[0]!.data[0]!.dateTime)).toBe("2023-12-15T00:00:00.000Z")
    expect(Insights.reportLinks(insights).map((link) => [link.kind, link.accountId, iso(link.expiresAt)])).toEqual([
      ["account-xlsx", "8cdcf3f2-e4ba-4be8-b0eb-bc619c6cc753", "2024-05-20T11:10:10.000Z"],
      ["account-xml", "8cdcf3f2-e4ba-4be8-b0eb-bc619c6cc753", "2024-05-20T11:10:10.000Z"]
    ])
    expectSameDecoding(insights, Either.getOrThrow(schema(insightsMay24())))
  })

  it("lists every report link, session links first, with its expiry, as Redacted values", () => {
    const insights = decodeSync(insights2025())
    const links = Insights.reportLinks(insights)
    expect(links.map((link) => [link.kind, link.accountId, iso(link.expiresAt)])).toEqual([
      ["aggregate-xlsx", undefined, "2025-12-01T08:28:44.000Z"],
      ["aggregate-xml", undefined, "2025-12-01T08:28:44.000Z"],
      ["account-xlsx", "d35b9df1-871d-43d1-b6c1-67ded2c2e8e5", "2025-12-01T08:28:44.000Z"]
    ])
    expect("accountId" in links[0]!).toBe(false)
    for (const link of links) {
      expect(Redacted.isRedacted(link.url)).toBe(true)
      expect(Redacted.value(link.url)).toContain(fakeToken)
      expect(String(link.url)).toBe("<redacted>")
    }
    const unsigned = decodeSync({ session_id: "s", aggregate_xlsx_report_url: "https://example.com/r.xlsx" })
    expect(Insights.reportLinks(unsigned)[0]!.expiresAt).toBeUndefined()
    expect(Insights.reportLinks(decodeSync({ session_id: "s", aggregate_xlsx_report_url: "" }))).toEqual([])
  })

  it("never shows a report link: not in the printed or JSON form, not in a decoding error", () => {
    const insights = decodeSync(insights2025())
    expect(String(insights)).not.toContain(fakeToken)
    expect(JSON.stringify(insights)).not.toContain(fakeToken)
    expect(JSON.stringify(Insights.reportLinks(insights))).not.toContain(fakeToken)

    const broken = (mutate: (body: any) => void) => {
      const body: any = insights2025()
      mutate(body)
      const result = Insights.decodeEither(body)
      expect(Either.isLeft(result)).toBe(true)
      const full = schema(body)
      for (const error of [result, full]) {
        if (Either.isLeft(error)) {
          expect(error.left.message).not.toContain(fakeToken)
          expect(JSON.stringify(ParseResult.ArrayFormatter.formatErrorSync(error.left))).not.toContain(fakeToken)
          expect(ParseResult.TreeFormatter.formatErrorSync(error.left)).not.toContain("amazonaws")
        }
      }
    }
    broken((body) => body.accounts[0].data.transactions[1].amount = "lots")
    broken((body) => body.accounts[0].data.account_details.credit_limit = {})
    broken((body) => body.accounts[0].data.eod_balances.starting_balance = [1])
    broken((body) => body.accounts[0].data.xlsx_report_url = { href: reportUrl("x") })
    broken((body) => body.accounts[0].data.recurring_transactions.debit_transactions = "none")
    broken((body) => body.accounts[0].data = "nothing")
    broken((body) => body.aggregate_xml_report_url = 5)
    broken((body) => delete body.session_id)
  })

  it("reads numbers that arrive as strings, and null, \"\" and absent alike", () => {
    const insights = decodeSync({
      session_id: "s-1",
      link_id: "",
      accounts: [{
        account_id: "a-1",
        data: {
          transactions: [
            txn2025({ amount: "1609.50", balance: " -12 ", chq_num: 123456, metadata: null }),
            txn2025({ amount: "", balance: null, category: "", hash: undefined })
          ],
          lender_transactions: null,
          recurring_transactions: { debit_transactions: null },
          score: "496.0",
          account_details: { salary_confidence: "Very High", credit_limit: "0.0", od_limit: "" },
          predictors: { ok: 1, nested: { no: true }, list: [1], text: "0" },
          monthly_analysis: { good: { "Aug-2025": 1 }, bad: 5, worse: [1, 2], odd: null },
          eod_balances: { "Aug-25": ["5.0", null, "", 7], misc: "ignored" }
        }
      }]
    })
    expect(insights.link_id).toBeNull()
    const data = insights.accounts[0]!.data
    const [first, second] = data.transactions
    expect([first!.amount, first!.balance, first!.chq_num, first!.metadata]).toEqual([1609.5, -12, "123456", null])
    expect([second!.amount, second!.balance, second!.category, second!.hash]).toEqual([null, null, null, null])
    expect(data.lender_transactions).toEqual([])
    expect(data.recurring_transactions?.debit_transactions).toEqual([])
    expect(data.recurring_transactions?.credit_transactions).toEqual([])
    expect(data.score).toBe(496)
    expect(data.account_details?.salary_confidence).toBe("Very High")
    expect(data.account_details?.credit_limit).toBe(0)
    expect(data.account_details?.od_limit).toBeNull()
    // values that are not scalars, and metrics that are not maps, are left out
    expect(data.predictors).toEqual({ ok: 1, text: "0" })
    expect(Insights.predictorNumber(data.predictors, "text")).toBe(0)
    expect(data.monthly_analysis).toEqual({ good: { "Aug-2025": 1 } })
    expect(data.eod_balances?.balances).toEqual({ "Aug-25": [5, null, null, 7] })
    expect(data.eod_balances?.Months_order).toEqual([])
    expect(data.eod_balances?.daily.map((day) => day.balance)).toEqual([5, 7])
  })

  it("reads a missing or null data, accounts or object as empty", () => {
    const insights = decodeSync({
      session_id: "s-1",
      accounts: [{ account_id: "a-1", data: null }, { account_id: "a-2" }]
    })
    for (const account of insights.accounts) {
      expect(account.data.transactions).toEqual([])
      expect(account.data.account_details).toBeNull()
      expect(account.data.predictors).toEqual({})
      expect(account.data.xlsx_report_url).toBeNull()
    }
    expect(decodeSync({ session_id: "s-1" }).accounts).toEqual([])
    expect(decodeSync({ session_id: "s-1", accounts: null }).accounts).toEqual([])
  })

  it("keeps unknown enum values and ignores extra fields", () => {
    const insights = decodeSync({
      session_id: "s-1",
      brand_new_top_level: { big: [1, 2, 3] },
      accounts: [{
        account_id: "a-1",
        extra: true,
        data: {
          transactions: [
            txn2025({ transaction_type: "reversal", new_field: 1, metadata: { transaction_channel: "NEFT_NEW", x: 1 } })
          ],
          top_credits_debits: [{ type: "top_10_debit", data: [] }],
          fraud: [{ fraud_type: "new_fraud", fraud_category: "new_category" }]
        }
      }]
    })
    const data = insights.accounts[0]!.data
    expect(data.transactions[0]!.transaction_type).toBe("reversal")
    expect(data.transactions[0]!.metadata?.transaction_channel).toBe("NEFT_NEW")
    expect("new_field" in data.transactions[0]!).toBe(false)
    expect(data.top_credits_debits[0]!.type).toBe("top_10_debit")
    expect(data.fraud[0]!.fraud_type).toBe("new_fraud")
    expect(data.fraud[0]!.statement_id).toBeNull()
  })

  it("fails on a value of the wrong kind, naming its path and kind but not its content", () => {
    expect(
      issues({
        session_id: "s",
        accounts: [{ account_id: "a", data: { transactions: [txn2025(), txn2025({ amount: "ANANDA P" })] } }]
      })
    )
      .toEqual([{
        path: ["accounts", 0, "data", "transactions", 1, "amount"],
        message: "Expected a number, a numeric string or null, got a string"
      }])
    expect(issues({ session_id: "s", accounts: [{ account_id: "a", data: { score: true } }] })).toEqual([{
      path: ["accounts", 0, "data", "score"],
      message: "Expected a number, a numeric string or null, got a boolean"
    }])
    expect(issues({ session_id: "s", accounts: [{ account_id: "a", data: { transactions: { 0: txn2025() } } }] }))
      .toEqual([{
        path: ["accounts", 0, "data", "transactions"],
        message: "Expected an array or null, got an object"
      }])
    expect(
      issues({
        session_id: "s",
        accounts: [{
          account_id: "a",
          data: { recurring_transactions: { credit_transactions: [{ transactions: [flatTxn({ balance: [] })] }] } }
        }]
      })
    ).toEqual([{
      path: ["accounts", 0, "data", "recurring_transactions", "credit_transactions", 0, "transactions", 0, "balance"],
      message: "Expected a number, a numeric string or null, got an array"
    }])
    expect(issues({ session_id: "s", accounts: [{ account_id: "a", data: { eod_balances: { "Aug-25": [1, "x"] } } }] }))
      .toEqual([{
        path: ["accounts", 0, "data", "eod_balances", "Aug-25", 1],
        message: "Expected a number, a numeric string or null, got a string"
      }])
    expect(issues({ accounts: [] })).toEqual([{ path: ["session_id"], message: "is missing" }])
    expect(issues({ session_id: "s", accounts: [{ data: {} }] })).toEqual([
      { path: ["accounts", 0, "account_id"], message: "is missing" }
    ])
  })

  it("encodes back to the wire form: links as strings, end-of-day months at the top level", () => {
    const insights = decodeSync(insights2025())
    const encoded: any = Schema.encodeSync(Insights.Insights)(insights)
    expect(encoded.aggregate_xlsx_report_url).toContain(fakeToken)
    expect(encoded.accounts[0].data.eod_balances["Aug-25"]).toHaveLength(13)
    expect(encoded.accounts[0].data.eod_balances.Months_order).toEqual(["Aug-25", "Sep-25"])
    expectSameDecoding(decodeSync(encoded), insights)
  })

  it.live("lets the event loop turn while it decodes a large body, and can be interrupted", () =>
    Effect.gen(function*() {
      const body = largeInsights(20_000)
      let turns = 0
      let running = true
      const tick = () => {
        turns++
        if (running) setImmediate(tick)
      }
      setImmediate(tick)
      const started = performance.now()
      const insights = yield* Insights.decode(body)
      const elapsed = performance.now() - started
      running = false
      const transactions = insights.accounts[0]!.data.transactions
      expect(transactions).toHaveLength(20_000)
      // a body that takes several slices lets other work run between them
      if (elapsed > 4 * Insights.sliceMillis) expect(turns).toBeGreaterThan(1)
      const whole = Either.getOrThrow(Insights.decodeEither(body))
      for (const index of [0, 1, 9_999, 19_999]) {
        expectSameDecoding(transactions[index], whole.accounts[0]!.data.transactions[index])
      }
      expectSameDecoding(insights.accounts[0]!.data.predictors, whole.accounts[0]!.data.predictors)

      const fiber = yield* Effect.fork(Insights.decode(body))
      yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
      yield* Fiber.interrupt(fiber)
      const exit = yield* Fiber.await(fiber)
      expect(exit._tag).toBe("Failure")
    }))
})
