import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Insights from "../../src/Insights.js"
import { insights2024, insights2025, insightsMay24 } from "./fixtures.js"
import { difference, expectSameDecoding } from "./insightsSupport.js"

// The sliced decoder builds transactions by hand and falls back to the schema element by
// element, field by field. For any value it must give what the schema gives: the same
// value (same classes, same fields, same Redacted contents), or an error with the same
// issues (path, kind, message).

const schema = Schema.decodeUnknownEither(Insights.Insights)

const expectAgreement = (value: unknown) => {
  const quick = Insights.decodeEither(value)
  const full = schema(value)
  expect(quick._tag).toBe(full._tag)
  if (Either.isRight(quick) && Either.isRight(full)) {
    expectSameDecoding(quick.right, full.right)
  } else if (Either.isLeft(quick) && Either.isLeft(full)) {
    expect(ParseResult.ArrayFormatter.formatErrorSync(quick.left)).toEqual(
      ParseResult.ArrayFormatter.formatErrorSync(full.left)
    )
  }
  return quick
}

// values off the documented shape
const odd: FastCheck.Arbitrary<unknown> = FastCheck.oneof(
  FastCheck.constant(null),
  FastCheck.constant(undefined),
  FastCheck.constant(""),
  FastCheck.string({ maxLength: 6 }),
  FastCheck.constantFrom("0", "496.0", " 12 ", "1e3", "-5", ".5", "abc", "NaN", "Infinity", "0x10", "1,000"),
  FastCheck.integer(),
  FastCheck.double({ noNaN: true, noDefaultInfinity: true }),
  FastCheck.boolean(),
  FastCheck.constant({}),
  FastCheck.constant([]),
  FastCheck.constant({ nested: [1, "x"] })
)

interface Shape {
  readonly maybe: <A>(valid: FastCheck.Arbitrary<A>) => FastCheck.Arbitrary<unknown>
}

const documented: Shape = { maybe: (valid) => valid }
const noisy: Shape = {
  maybe: (valid) => FastCheck.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: odd })
}

const text = FastCheck.oneof(
  FastCheck.string({ maxLength: 10 }),
  FastCheck.constant(""),
  FastCheck.constant(null),
  FastCheck.integer()
)
const number = FastCheck.oneof(
  FastCheck.integer(),
  FastCheck.double({ noNaN: true, noDefaultInfinity: true }),
  FastCheck.constantFrom("0", "496.0", "", " -12.5 ", null)
)
const date = FastCheck.constantFrom("2025-08-11 00:00:00", "14-Aug-25", "2025-02-30 00:00:00", "", null)
const url = FastCheck.oneof(
  FastCheck.constant(
    "https://r.example/report.xlsx?X-Amz-Date=20251201T072844Z&X-Amz-Expires=3600&X-Amz-Security-Token=t"
  ),
  FastCheck.constant(""),
  FastCheck.constant(null)
)

const record = (model: Record<string, FastCheck.Arbitrary<unknown>>) => FastCheck.record(model, { requiredKeys: [] })

const shapes = (s: Shape) => {
  const list = <A>(element: FastCheck.Arbitrary<A>, maxLength = 4) =>
    s.maybe(FastCheck.oneof(FastCheck.array(s.maybe(element), { maxLength }), FastCheck.constant(null)))
  const metadata = record({
    unclean_merchant: s.maybe(text),
    transaction_channel: s.maybe(text),
    description: s.maybe(text),
    extra: odd
  })
  const txnFields = {
    transaction_type: s.maybe(FastCheck.constantFrom("credit", "debit", "reversal", null)),
    transaction_note: s.maybe(text),
    chq_num: s.maybe(text),
    amount: s.maybe(number),
    balance: s.maybe(number),
    date: s.maybe(date),
    hash: s.maybe(text),
    category: s.maybe(text),
    extra: odd
  }
  const txn = record({ ...txnFields, metadata: s.maybe(FastCheck.oneof(metadata, FastCheck.constant(null))) })
  const salary = record({
    ...txnFields,
    metadata: s.maybe(FastCheck.oneof(metadata, FastCheck.constant(null))),
    employer_name: s.maybe(text),
    salary_month: s.maybe(FastCheck.constantFrom("Jul-2025", "bad", null))
  })
  const flat = record({
    ...txnFields,
    transaction_channel: s.maybe(text),
    merchant_category: s.maybe(text),
    description: s.maybe(text)
  })
  const group = record({
    account_id: s.maybe(text),
    transaction_channel: s.maybe(text),
    clean_transaction_note: s.maybe(text),
    median: s.maybe(number),
    start_date: s.maybe(date),
    end_date: s.maybe(date),
    transactions: list(flat)
  })
  const recurring = FastCheck.oneof(
    record({ debit_transactions: list(group, 3), credit_transactions: list(group, 3) }),
    FastCheck.constant(null)
  )
  const topList = record({
    type: s.maybe(FastCheck.constantFrom("top_5_debit", "top_5_credit", "new")),
    data: list(record({ month: s.maybe(FastCheck.constantFrom("Aug-25", "bad")), data: list(txn, 3) }), 3)
  })
  const range = FastCheck.oneof(
    record({ from_date: s.maybe(FastCheck.constantFrom("2025-08-11", "11/08/2025", "")), to_date: s.maybe(text) }),
    FastCheck.constant(null)
  )
  const details = FastCheck.oneof(
    record({
      name: s.maybe(text),
      account_number: s.maybe(text),
      credit_limit: s.maybe(number),
      months: list(FastCheck.constantFrom("2025-08", "bad")),
      missing_data: FastCheck.oneof(FastCheck.array(FastCheck.oneof(range, odd), { maxLength: 3 }), odd),
      account_date_range: s.maybe(range),
      metadata_analysis: s.maybe(FastCheck.oneof(record({ name_matches: list(odd) }), FastCheck.constant(null)))
    }),
    FastCheck.constant(null)
  )
  const scalar = FastCheck.oneof(text, number, FastCheck.boolean())
  const monthly = FastCheck.dictionary(
    FastCheck.constantFrom("opening_balance", "start_date", "loan_emi", "__proto__", "x"),
    FastCheck.oneof(FastCheck.dictionary(FastCheck.constantFrom("Aug-2025", "Sep-2025"), FastCheck.jsonValue()), odd)
  )
  const eod = FastCheck.oneof(
    record({
      Months_order: s.maybe(
        FastCheck.array(s.maybe(FastCheck.constantFrom("Aug-25", "Sep-25", null)), { maxLength: 3 })
      ),
      start_date: s.maybe(FastCheck.array(s.maybe(FastCheck.constantFrom("11-Aug-25", "", null)), { maxLength: 3 })),
      starting_balance: s.maybe(number),
      "Aug-25": s.maybe(FastCheck.array(s.maybe(number), { maxLength: 5 })),
      "Sep-25": s.maybe(FastCheck.array(s.maybe(number), { maxLength: 5 })),
      misc: odd
    }),
    FastCheck.constant(null)
  )
  const data = FastCheck.oneof(
    {
      weight: 8,
      arbitrary: record({
        account_details: s.maybe(details),
        transactions: list(txn, 6),
        salary_transactions: list(salary, 2),
        lender_transactions: list(flat, 3),
        self_and_sister_transactions: list(flat, 3),
        recurring_transactions: s.maybe(recurring),
        top_credits_debits: list(topList, 2),
        bounced_or_penal_transactions: list(odd, 2),
        fraud: list(record({ statement_id: s.maybe(text), fraud_type: s.maybe(text) }), 2),
        fraud_details: s.maybe(
          FastCheck.oneof(record({ statement: list(odd), account: list(odd) }), FastCheck.constant(null))
        ),
        statement_stats: list(record({ page_count: s.maybe(number), is_scanned_pdf: s.maybe(FastCheck.boolean()) }), 2),
        expense_categories: list(record({ category: s.maybe(text), percentage: s.maybe(number) }), 2),
        monthly_analysis: s.maybe(monthly),
        predictors: s.maybe(FastCheck.dictionary(FastCheck.string({ maxLength: 4 }), FastCheck.oneof(scalar, odd))),
        eod_balances: s.maybe(eod),
        score: s.maybe(number),
        xlsx_report_url: s.maybe(url),
        xml_report_url: s.maybe(url)
      })
    },
    { weight: 1, arbitrary: FastCheck.constant(null) }
  )
  const account = record({ account_id: s.maybe(FastCheck.string({ maxLength: 6 })), data: s.maybe(data) })
  return FastCheck.record({
    session_id: s.maybe(FastCheck.string({ maxLength: 6 })),
    link_id: s.maybe(text),
    session_date_range: s.maybe(range),
    accounts: list(account, 3),
    aggregate_monthly_analysis: s.maybe(monthly),
    aggregate_xlsx_report_url: s.maybe(url),
    aggregate_xml_report_url: s.maybe(url),
    extra: odd
  }, { requiredKeys: ["session_id"] })
}

describe("the insights fast path", () => {
  it("decodes every value of the documented shape, as the schema does", () => {
    FastCheck.assert(
      FastCheck.property(shapes(documented), (value) => {
        const result = expectAgreement(value)
        // documented values with a string id and accounts with ids always decode
        const body = value as { session_id?: unknown; accounts?: unknown }
        const ids = Array.isArray(body.accounts) &&
          body.accounts.every((account) => typeof (account as { account_id?: unknown })?.account_id === "string")
        if (typeof body.session_id === "string" && (body.accounts === null || body.accounts === undefined || ids)) {
          expect(Either.isRight(result)).toBe(true)
        }
      }),
      { numRuns: 150 }
    )
  })

  it("gives what the schema gives for values off the documented shape", () => {
    FastCheck.assert(FastCheck.property(shapes(noisy), (value) => void expectAgreement(value)), { numRuns: 500 })
  })

  it("gives what the schema gives for any JSON value", () => {
    FastCheck.assert(
      FastCheck.property(
        FastCheck.oneof(
          FastCheck.jsonValue(),
          FastCheck.record({ session_id: FastCheck.string(), accounts: FastCheck.jsonValue() }),
          FastCheck.record({
            session_id: FastCheck.string(),
            accounts: FastCheck.array(FastCheck.record({ account_id: FastCheck.string(), data: FastCheck.jsonValue() }))
          })
        ),
        (value) => void expectAgreement(value)
      ),
      { numRuns: 500 }
    )
  })

  it("compares classes and Redacted contents, not only fields", () => {
    const props = { ...Insights.Transaction.fields }
    const base = Object.fromEntries(Object.keys(props).map((key) => [key, null]))
    expect(difference(new Insights.Transaction(base), new Insights.Transaction(base))).toBeUndefined()
    expect(difference(new Insights.TopTransaction(base), new Insights.Transaction(base))).toContain("prototypes differ")
    const links = (url: string) =>
      Either.getOrThrow(Insights.decodeEither({ session_id: "s", aggregate_xlsx_report_url: url }))
    expect(difference(links("https://a.example/1"), links("https://a.example/2"))).toContain("Redacted values differ")
    expect(difference(links("https://a.example/1"), links("https://a.example/1"))).toBeUndefined()
  })

  it("agrees on the documentation's examples", () => {
    for (const example of [insights2025(), insights2024(), insightsMay24()]) {
      expect(Either.isRight(expectAgreement(example))).toBe(true)
    }
  })

  it.effect("decode (in slices) gives what decodeEither gives", () =>
    Effect.gen(function*() {
      const samples = FastCheck.sample(shapes(noisy), { numRuns: 200, seed: 42 })
      for (const value of samples) {
        const sliced = yield* Effect.either(Insights.decode(value))
        const whole = Insights.decodeEither(value)
        expect(sliced._tag).toBe(whole._tag)
        if (Either.isRight(sliced) && Either.isRight(whole)) expectSameDecoding(sliced.right, whole.right)
        if (Either.isLeft(sliced) && Either.isLeft(whole)) {
          expect(ParseResult.ArrayFormatter.formatErrorSync(sliced.left)).toEqual(
            ParseResult.ArrayFormatter.formatErrorSync(whole.left)
          )
        }
      }
    }))
})
