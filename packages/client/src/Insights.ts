/**
 * The insights response (`GET /session_data/{session_id}/insights/`): per account, the
 * account details, every transaction (and the salary, lender, self-transfer, recurring and
 * top lists drawn from them), fraud signals, statement stats, expense categories, the
 * monthly analysis, the predictors, end-of-day balances, a score and report links; and
 * the same monthly analysis across accounts.
 *
 * Decoding is tolerant, as the May 2024, December 2024 and 2025 revisions differ: every
 * field but `session_id` and `account_id` is optional, and `null`, `""` and a missing
 * field read alike (`null`, or an empty list or map); numbers that arrive as strings
 * (`"0"`, `"496.0"`) read as numbers; digit strings (account numbers, MICR, notes) stay
 * strings; open sets keep values this library does not know; unknown extra fields are
 * ignored. A value of the wrong kind (an object where a number belongs, a string that is
 * not a number) fails, and the error names its path and its kind, never its content.
 *
 * Report links are pre-signed S3 URLs: bearer credentials for about an hour. They decode
 * as `Redacted` values (printed and logged as `<redacted>`), and {@link reportLinks} lists
 * them with their expiry. Re-fetch insights for fresh links; never store them.
 *
 * **Size and time.** An insights body is about 2 to 3 MB per account-year (5,000
 * transactions with their repeats in the recurring, salary, lender and top lists, 2,000
 * predictors, the monthly analysis twice). Through the schema alone, decoding one takes
 * about 15 times as long as `JSON.parse`, in one block. {@link decode} does not hold the
 * event loop that long: a hand-written path builds the transactions (the same classes,
 * each field read by the schema's own reader; any value off the documented shape goes to
 * the schema), and the work is cut into slices of about {@link sliceMillis} with a turn of
 * the event loop between them. Measured once for this module (Node 20 on a shared 2-core
 * machine, CPU time, median of 25 runs; indicative, not a benchmark) on a 2.6 MB body of
 * one account-year (5,000 transactions, 2,250 recurring repeats, 2,160 predictors, 404
 * monthly metrics twice):
 *
 * | step | time |
 * | --- | --- |
 * | `JSON.parse` | 13 ms, one block |
 * | `Schema.decodeUnknown(Insights)` | 190 ms, one block |
 * | {@link decodeEither} | 12 ms, one block |
 * | {@link decode} | 17 ms in 3 to 6 slices; the longest 8 to 10 ms of wall time, unless a garbage collection lands in it |
 *
 * @since 0.3.0
 */
import type * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as WireDates from "./internal/wireDates.js"
import * as WireField from "./internal/wireField.js"
import type { Open } from "./Progress.js"
import * as UploadStatus from "./UploadStatus.js"

// ---------------------------------------------------------------------------------------
// Tolerant wire values. Each field schema reads `unknown` with one reader function, the
// same function the fast path uses, so that both give the same value by construction.
// Field schemas never wrap an object in a union: a union's error prints the whole value
// it rejected, which here could be megabytes of personal data and report links.
// ---------------------------------------------------------------------------------------

/** A function made on first use: parsers are compiled when a body first needs them, not at import. */
const lazily = <Args extends ReadonlyArray<unknown>, R>(make: () => (...args: Args) => R): (...args: Args) => R => {
  let made: ((...args: Args) => R) | undefined
  return (...args) => (made ??= make())(...args)
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** A string (`""` reads as `null`), a number as its decimal text, or `null`; `undefined`: not one of these. */
const readText = (u: unknown): string | null | undefined =>
  typeof u === "string"
    ? (u === "" ? null : u)
    : typeof u === "number"
    ? String(u)
    : u === null || u === undefined
    ? null
    : undefined

const numeric = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/

/** A number, a numeric string (`"0"`, `"496.0"`), or `null` for `null`, `""` or a missing value. */
const readNumber = (u: unknown): number | null | undefined =>
  typeof u === "number"
    ? u
    : typeof u === "string"
    ? (u.trim() === "" ? null : numeric.test(u) ? Number(u) : undefined)
    : u === null || u === undefined
    ? null
    : undefined

const readBoolean = (u: unknown): boolean | null | undefined =>
  typeof u === "boolean" ? u : u === null || u === undefined ? null : undefined

const readUrl = (u: unknown): Redacted.Redacted<string> | null | undefined =>
  typeof u === "string" ? (u === "" ? null : Redacted.make(u)) : u === null || u === undefined ? null : undefined

const { kind, wire } = WireField

const text = wire(readText, Schema.NullOr(Schema.String), "a string or null", () => null)

const openText = <const Known extends ReadonlyArray<string>>(..._known: Known) =>
  wire(
    readText as (u: unknown) => Open<Known[number]> | null | undefined,
    Schema.NullOr(Schema.String) as Schema.Schema<Open<Known[number]> | null>,
    "a string or null",
    () => null
  )

const num = wire(readNumber, Schema.NullOr(Schema.Number), "a number, a numeric string or null", () => null)

/** A number (numeric strings read as numbers), or a label kept as a string. */
const numberOrLabel = wire(
  (u: unknown): number | string | null | undefined => {
    const value = readNumber(u)
    return value === undefined && typeof u === "string" ? u : value
  },
  Schema.NullOr(Schema.Union(Schema.Number, Schema.String)),
  "a number, a string or null",
  () => null
)

const bool = wire(readBoolean, Schema.NullOr(Schema.Boolean), "a boolean or null", () => null)

const url = wire(
  readUrl,
  Schema.NullOr(Schema.RedactedFromSelf(Schema.String)),
  "a string or null",
  () => null,
  (a) => a === null ? null : Redacted.value(a)
)

/** An object decoded with `schema`; `fallback()` for `null` or a missing field. */
const objectOr = <A, I, B extends A | null>(
  schema: Schema.Schema<A, I>,
  type: Schema.Schema<A | B>,
  fallback: () => B
) => {
  const decodeValue = ParseResult.decodeUnknown(schema)
  const encodeValue = ParseResult.encodeUnknown(schema)
  return Schema.optionalWith(
    Schema.transformOrFail(Schema.Unknown, type, {
      strict: true,
      decode: (u, options, ast) =>
        u === null || u === undefined
          ? ParseResult.succeed(fallback())
          : isRecord(u)
          ? decodeValue(u, options)
          : ParseResult.fail(new ParseResult.Type(ast, u, `Expected an object or null, got ${kind(u)}`)),
      encode: (a, options) => a === null ? ParseResult.succeed(null) : encodeValue(a as A, options)
    }),
    { exact: true, default: fallback }
  )
}

/** An object decoded with `schema`, or `null`. */
const objectOrNull = <A, I>(schema: Schema.Schema<A, I>) =>
  objectOr(schema, Schema.NullOr(Schema.typeSchema(schema)), (): A | null => null)

/** A list decoded with `element`; `null` or a missing field read as empty. */
const list = <A, I>(element: Schema.Schema<A, I>) => {
  const array = Schema.Array(element)
  const decodeValue = lazily(() => ParseResult.decodeUnknown(array))
  const encodeValue = lazily(() => ParseResult.encodeUnknown(array))
  return Schema.optionalWith(
    Schema.transformOrFail(Schema.Unknown, Schema.typeSchema(array), {
      strict: true,
      decode: (u, options, ast) =>
        u === null || u === undefined
          ? ParseResult.succeed([])
          : Array.isArray(u)
          ? decodeValue(u, options)
          : ParseResult.fail(new ParseResult.Type(ast, u, `Expected an array or null, got ${kind(u)}`)),
      encode: (a, options) => encodeValue(a, options)
    }),
    { exact: true, default: () => [] }
  )
}

const setKey = (target: Record<string, unknown>, key: string, value: unknown): void => {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true })
  else target[key] = value
}

/** A map read from an object: each value kept by `keep`, dropped when `keep` gives `undefined`. */
const map = <A>(keep: (value: unknown) => A | undefined, type: Schema.Schema<Record<string, A>>) =>
  Schema.optionalWith(
    Schema.transformOrFail(Schema.Unknown, type, {
      strict: true,
      decode: (u, _, ast) => {
        if (u === null || u === undefined) return ParseResult.succeed({})
        if (!isRecord(u)) {
          return ParseResult.fail(new ParseResult.Type(ast, u, `Expected an object or null, got ${kind(u)}`))
        }
        const out: Record<string, A> = {}
        for (const key in u) {
          if (!Object.hasOwn(u, key)) continue
          const value = keep(u[key])
          if (value !== undefined) setKey(out, key, value)
        }
        return ParseResult.succeed(out)
      },
      encode: (a) => ParseResult.succeed(a)
    }),
    { exact: true, default: () => ({}) }
  )

// ---------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------

/**
 * A calendar month, such as `{ year: 2025, month: 8 }`.
 *
 * @since 0.3.0
 * @category models
 */
export type YearMonth = WireDates.YearMonth

/**
 * `credit` or `debit` (an open set).
 *
 * @since 0.3.0
 * @category models
 */
export type TransactionType = Open<"credit" | "debit">

/**
 * A 2025 transaction's `metadata`.
 *
 * @since 0.3.0
 * @category schemas
 */
export class TransactionMetadata extends Schema.Class<TransactionMetadata>("Insights.TransactionMetadata")({
  /** The counterparty as the statement writes it, such as `MUTHOOT FINANCE`. Personal data. */
  unclean_merchant: text,
  /** Such as `upi`, `Other`, `salary` (an open set; its case varies). */
  transaction_channel: text,
  /** Such as `lender_transaction`, `self_transfer`, `Transfer from …` (an open set). */
  description: text
}) {}

const transactionFields = {
  /** `credit` or `debit`. */
  transaction_type: openText("credit", "debit"),
  /** The statement's narration. Personal data. */
  transaction_note: text,
  /** The cheque number; `""` and `null` read as `null`. */
  chq_num: text,
  /** Positive. */
  amount: num,
  /** The balance after the transaction; can be negative. */
  balance: num,
  /** `YYYY-MM-DD HH:MM:SS`; see the `dateTime` getter. */
  date: text,
  /** 32 hex digits; the same transaction repeats across lists under the same hash. */
  hash: text,
  /** Free text, such as `Salary`, `Self Transfer`; may hold a counterparty's name (personal data). */
  category: text
}

/**
 * A transaction, as in `transactions` (2025 adds `metadata`).
 *
 * @since 0.3.0
 * @category schemas
 */
export class Transaction extends Schema.Class<Transaction>("Insights.Transaction")({
  ...transactionFields,
  /** 2025 only. */
  metadata: objectOrNull(TransactionMetadata)
}) {
  /** `date` parsed (`YYYY-MM-DD HH:MM:SS`, read as UTC), or `undefined`. */
  get dateTime(): DateTime.Utc | undefined {
    return WireDates.naiveDateTime(this.date)
  }
}

/**
 * A salary credit: a transaction with the employer and the month it pays.
 *
 * @since 0.3.0
 * @category schemas
 */
export class SalaryTransaction extends Transaction.extend<SalaryTransaction>("Insights.SalaryTransaction")({
  /** `null` when unknown (always, in the examples). */
  employer_name: text,
  /** The month paid, `Mon-YYYY` (`Jul-2025`). */
  salary_month: text
}) {
  /** `salary_month` parsed, or `undefined`. */
  get salaryMonth(): YearMonth | undefined {
    return WireDates.monthYear(this.salary_month)
  }
}

/**
 * A transaction in a top-5 list. Its `date` is `DD-Mon-YY` (`14-Aug-25`) since 2024, and
 * was `YYYY-MM-DD HH:MM:SS` in May 2024; `dateTime` reads either.
 *
 * @since 0.3.0
 * @category schemas
 */
export class TopTransaction extends Transaction.extend<TopTransaction>("Insights.TopTransaction")({}) {
  /** `date` parsed (`DD-Mon-YY`, or the May 2024 `YYYY-MM-DD HH:MM:SS`), or `undefined`. */
  override get dateTime(): DateTime.Utc | undefined {
    return WireDates.dayMonthNameShortYear(this.date) ?? WireDates.naiveDateTime(this.date)
  }
}

/**
 * A transaction with its channel, merchant category and description flat and no
 * `metadata`: the lender, self-and-sister and recurring lists.
 *
 * @since 0.3.0
 * @category schemas
 */
export class FlatTransaction extends Schema.Class<FlatTransaction>("Insights.FlatTransaction")({
  ...transactionFields,
  /** Such as `upi`, `auto_debit_payment`, `Other` (an open set). */
  transaction_channel: text,
  /** Such as `loans`; `""` reads as `null`. */
  merchant_category: text,
  /** Such as `lender_transaction` (an open set). */
  description: text
}) {
  /** `date` parsed (`YYYY-MM-DD HH:MM:SS`, read as UTC), or `undefined`. */
  get dateTime(): DateTime.Utc | undefined {
    return WireDates.naiveDateTime(this.date)
  }
}

/**
 * A group of recurring transactions with one counterparty.
 *
 * @since 0.3.0
 * @category schemas
 */
export class RecurringGroup extends Schema.Class<RecurringGroup>("Insights.RecurringGroup")({
  account_id: text,
  /** Such as `UPI`, `OTHER`, `AUTO_DEBIT_PAYMENT` (upper case here; an open set). */
  transaction_channel: text,
  /** The counterparty, such as `ACHDR RAZORPAYSOFTWAREPRIV`; digit strings stay strings. */
  clean_transaction_note: text,
  /** The median amount. */
  median: num,
  /** `YYYY-MM-DD HH:MM:SS`. */
  start_date: text,
  /** `YYYY-MM-DD HH:MM:SS`. */
  end_date: text,
  transactions: list(FlatTransaction)
}) {
  /** `start_date` parsed, or `undefined`. */
  get start(): DateTime.Utc | undefined {
    return WireDates.naiveDateTime(this.start_date)
  }
  /** `end_date` parsed, or `undefined`. */
  get end(): DateTime.Utc | undefined {
    return WireDates.naiveDateTime(this.end_date)
  }
}

/**
 * The recurring debits and credits (2024+).
 *
 * @since 0.3.0
 * @category schemas
 */
export class RecurringTransactions extends Schema.Class<RecurringTransactions>("Insights.RecurringTransactions")({
  debit_transactions: list(RecurringGroup),
  credit_transactions: list(RecurringGroup)
}) {}

/**
 * One month of a top-5 list.
 *
 * @since 0.3.0
 * @category schemas
 */
export class TopMonth extends Schema.Class<TopMonth>("Insights.TopMonth")({
  /** `Mon-YY` (`Aug-25`). */
  month: text,
  data: list(TopTransaction)
}) {
  /** `month` parsed, or `undefined`. */
  get yearMonth(): YearMonth | undefined {
    return WireDates.monthShortYear(this.month)
  }
}

/**
 * A top-5 list: the largest debits or credits of each month.
 *
 * @since 0.3.0
 * @category schemas
 */
export class TopList extends Schema.Class<TopList>("Insights.TopList")({
  /** `top_5_debit` or `top_5_credit` (an open set). */
  type: openText("top_5_debit", "top_5_credit"),
  data: list(TopMonth)
}) {}

/**
 * A fraud signal.
 *
 * @since 0.3.0
 * @category schemas
 */
export class Fraud extends Schema.Class<Fraud>("Insights.Fraud")({
  /** The statement it concerns; `null` for an account-level signal. */
  statement_id: text,
  /** Such as `author_fraud`, `inconsistent_transaction` (an open set). */
  fraud_type: text,
  /** The transaction it concerns, or `null`. */
  transaction_hash: text,
  /** Such as `metadata`, `accounting` (an open set). */
  fraud_category: text
}) {}

/**
 * `fraud_details` (2025): `{statement: [], account: []}`; no element has been shown, so
 * they are kept as they come.
 *
 * @since 0.3.0
 * @category schemas
 */
export class FraudDetails extends Schema.Class<FraudDetails>("Insights.FraudDetails")({
  statement: list(Schema.Unknown),
  account: list(Schema.Unknown)
}) {}

/**
 * Per-statement counts (2024+).
 *
 * @since 0.3.0
 * @category schemas
 */
export class StatementStats extends Schema.Class<StatementStats>("Insights.StatementStats")({
  session_id: text,
  account_id: text,
  statement_id: text,
  /** `YYYY-MM-DD HH:MM:SS`. */
  first_transaction_timestamp: text,
  /** `YYYY-MM-DD HH:MM:SS`. */
  last_transaction_timestamp: text,
  /** The bank's id, such as `axis`. */
  bank: text,
  /** Such as `PDF` (upper case here). */
  source: text,
  /** 2025: `<uuid>_<bank>.pdf`. */
  upload_file_name: text,
  page_count: num,
  transaction_count: num,
  /** `YYYY-MM-DD HH:MM:SS`. */
  from_date: text,
  /** `YYYY-MM-DD HH:MM:SS`. */
  to_date: text,
  /** 2025. */
  is_scanned_pdf: bool
}) {
  /** `from_date` parsed, or `undefined`. */
  get from(): DateTime.Utc | undefined {
    return WireDates.naiveDateTime(this.from_date)
  }
  /** `to_date` parsed, or `undefined`. */
  get to(): DateTime.Utc | undefined {
    return WireDates.naiveDateTime(this.to_date)
  }
}

/**
 * A share of spending (2024+).
 *
 * @since 0.3.0
 * @category schemas
 */
export class ExpenseCategory extends Schema.Class<ExpenseCategory>("Insights.ExpenseCategory")({
  /** Such as `Transfers`. */
  category: text,
  /** A whole percentage, such as `66`. */
  percentage: num
}) {}

/**
 * `metadata_analysis` of the account details.
 *
 * @since 0.3.0
 * @category schemas
 */
export class MetadataAnalysis extends Schema.Class<MetadataAnalysis>("Insights.MetadataAnalysis")({
  /** Elements unseen (always empty in the examples); kept as they come. */
  name_matches: list(Schema.Unknown)
}) {}

/**
 * The account's identity and coverage. Personal data throughout.
 *
 * @since 0.3.0
 * @category schemas
 */
export class AccountDetails extends Schema.Class<AccountDetails>("Insights.AccountDetails")({
  name: text,
  address: text,
  /** Unmasked here; a digit string. */
  account_number: text,
  /** The bank's id, such as `axis` (named `bank` here, not `bank_name`). */
  bank: text,
  /** Such as `individual` (`savings` in May 2024). */
  account_category: text,
  ifsc: text,
  micr: text,
  credit_limit: num,
  od_limit: num,
  /**
   * A number in every revision (`100.0`; `null` in May 2024). A label (the predictors'
   * `salary_confidence_v2` is one, `"Very High"`) is kept as a string rather than failing
   * the whole body.
   */
  salary_confidence: numberOrLabel,
  account_opening_date: text,
  /** The statements' ids. */
  statements: list(Schema.String),
  /** The months covered, `YYYY-MM`. */
  months: list(Schema.String),
  /** 2025: the months uploaded, `YYYY-MM`. */
  uploaded_months: list(Schema.String),
  /** The gaps in the data, `YYYY-MM-DD` ranges. */
  missing_data: Schema.optionalWith(UploadStatus.MissingData, { exact: true, default: () => [] }),
  /** `YYYY-MM-DD` range. */
  account_date_range: objectOrNull(UploadStatus.IsoDateRange),
  /** 2025: `YYYY-MM-DD` range. */
  transaction_date_range: objectOrNull(UploadStatus.IsoDateRange),
  country_code: text,
  currency_code: text,
  metadata_analysis: objectOrNull(MetadataAnalysis),
  dob: text,
  email: text,
  pan_number: text,
  phone_number: text,
  /** `""` (read as `null`) in the examples. */
  account_status: text,
  holder_type: text
}) {
  /** `months` parsed; a month that does not parse is left out. */
  get coveredMonths(): ReadonlyArray<YearMonth> {
    return parseMonths(this.months)
  }
  /** `uploaded_months` parsed; a month that does not parse is left out. */
  get uploadedMonths(): ReadonlyArray<YearMonth> {
    return parseMonths(this.uploaded_months)
  }
}

const parseMonths = (months: ReadonlyArray<string>): ReadonlyArray<YearMonth> =>
  months.map(WireDates.yearMonth).filter((month): month is YearMonth => month !== undefined)

/**
 * The monthly analysis: metric name to a map of month (`Mon-YYYY`, such as `Aug-2025`) to
 * value. Values are numbers or `null` mostly, but not only: `no_of_days_to_serve_cc_interest`
 * is a string (`"0"`), `start_date` a date string, `loan_emi` maps lenders to lists. A
 * metric whose value is not an object is left out. Read numbers with {@link monthly}.
 *
 * @since 0.3.0
 * @category models
 */
export type MonthlyAnalysis = Readonly<Record<string, Readonly<Record<string, unknown>>>>

const keepObject = (value: unknown): Record<string, unknown> | undefined => {
  if (!isRecord(value)) return undefined
  const copy: Record<string, unknown> = {}
  for (const key in value) if (Object.hasOwn(value, key)) setKey(copy, key, value[key])
  return copy
}

const trusted = <A>(identifier: string): Schema.Schema<A> =>
  Schema.declare((u: unknown): u is A => isRecord(u), { identifier })

const monthlyAnalysis = map(keepObject, trusted<Record<string, Record<string, unknown>>>("MonthlyAnalysis"))

/**
 * A predictor's value.
 *
 * @since 0.3.0
 * @category models
 */
export type Predictor = number | string | boolean | null

/**
 * The predictors: a flat map of about 2,000 keys (2,160 in 2025; the set changes between
 * revisions). Month-indexed keys `<name>_0` … `<name>_11` count back from the latest month
 * (`month_0: "Nov-25"`); unused slots are `null`. A value that is not a number, a string,
 * a boolean or `null` is left out. Read them with {@link predictorNumber} and
 * {@link predictorSeries}.
 *
 * @since 0.3.0
 * @category models
 */
export type Predictors = Readonly<Record<string, Predictor>>

const keepScalar = (value: unknown): Predictor | undefined =>
  value === null || typeof value === "number" || typeof value === "string" || typeof value === "boolean"
    ? value
    : undefined

const predictors = map(keepScalar, trusted<Record<string, Predictor>>("Predictors"))

/**
 * End-of-day balances. On the wire, each month's list sits under its own `Mon-YY` key
 * beside `Months_order`, `start_date` and `starting_balance`; here those lists are
 * gathered in `balances`. One slot per calendar day (index = day − 1), `null` outside the
 * coverage. Look months up by key, not by position: the 2024 example lists fewer
 * `start_date` entries than months.
 *
 * @since 0.3.0
 * @category schemas
 */
export class EodBalances extends Schema.Class<EodBalances>("Insights.EodBalances")({
  /** The months, `Mon-YY` (`Aug-25`), oldest first. */
  Months_order: Schema.Array(Schema.String),
  /** The first day with data, `DD-Mon-YY` (`11-Aug-25`), or `null`. */
  start_date: Schema.Array(Schema.NullOr(Schema.String)),
  starting_balance: Schema.NullOr(Schema.Number),
  /** Each month's daily balances, keyed `Mon-YY`. */
  balances: Schema.Record({ key: Schema.String, value: Schema.Array(Schema.NullOr(Schema.Number)) })
}) {
  /**
   * Every day with a balance, oldest first, for the months of `Months_order` (or of
   * `balances` when `Months_order` is empty); a month key that does not parse is left out.
   */
  get daily(): ReadonlyArray<{ readonly date: DateTime.Utc; readonly balance: number }> {
    const keys = this.Months_order.length > 0 ? this.Months_order : Object.keys(this.balances)
    const out: Array<{ readonly date: DateTime.Utc; readonly balance: number }> = []
    for (const key of keys) {
      const month = WireDates.monthShortYear(key)
      const days = Object.hasOwn(this.balances, key) ? this.balances[key]! : undefined
      if (month === undefined || days === undefined) continue
      const monthText = String(month.month).padStart(2, "0")
      for (let index = 0; index < days.length; index++) {
        const balance = days[index]
        if (balance === null || balance === undefined) continue
        const date = WireDates.isoDate(`${month.year}-${monthText}-${String(index + 1).padStart(2, "0")}`)
        if (date !== undefined) out.push({ date, balance })
      }
    }
    return out
  }
}

const eodReserved = new Set(["Months_order", "start_date", "starting_balance"])

const readArray = <A>(
  value: unknown,
  read: (u: unknown) => A | undefined,
  path: string,
  input: unknown,
  ast: Schema.Schema.Any["ast"],
  expected: string
): Array<A> | ParseResult.ParseIssue => {
  if (value === null || value === undefined) return []
  if (!Array.isArray(value)) {
    return new ParseResult.Pointer(
      path,
      input,
      new ParseResult.Type(ast, value, `Expected an array or null, got ${kind(value)}`)
    )
  }
  const out: Array<A> = []
  for (let index = 0; index < value.length; index++) {
    const item = read(value[index])
    if (item === undefined) {
      return new ParseResult.Pointer(
        [path, index],
        input,
        new ParseResult.Type(ast, value[index], `Expected ${expected}, got ${kind(value[index])}`)
      )
    }
    out.push(item)
  }
  return out
}

const eodBalances = objectOrNull(
  Schema.transformOrFail(Schema.Unknown, EodBalances, {
    strict: false,
    decode: (u, _, ast) => {
      if (!isRecord(u)) return ParseResult.fail(new ParseResult.Type(ast, u, `Expected an object, got ${kind(u)}`))
      const months = readArray(u["Months_order"], readText, "Months_order", u, ast, "a string")
      if (!Array.isArray(months)) return ParseResult.fail(months)
      const starts = readArray(u["start_date"], readText, "start_date", u, ast, "a string or null")
      if (!Array.isArray(starts)) return ParseResult.fail(starts)
      const starting = readNumber(u["starting_balance"])
      if (starting === undefined) {
        return ParseResult.fail(
          new ParseResult.Pointer(
            "starting_balance",
            u,
            new ParseResult.Type(
              ast,
              u["starting_balance"],
              `Expected a number or null, got ${kind(u["starting_balance"])}`
            )
          )
        )
      }
      const balances: Record<string, Array<number | null>> = {}
      for (const key in u) {
        if (!Object.hasOwn(u, key) || eodReserved.has(key) || !Array.isArray(u[key])) continue
        const days = readArray(u[key], readNumber, key, u, ast, "a number, a numeric string or null")
        if (!Array.isArray(days)) return ParseResult.fail(days)
        setKey(balances, key, days)
      }
      return ParseResult.succeed({
        Months_order: months.filter((month): month is string => month !== null),
        start_date: starts,
        starting_balance: starting,
        balances
      })
    },
    encode: (eod) => {
      const out: Record<string, unknown> = {}
      for (const key in eod.balances) setKey(out, key, eod.balances[key])
      out["Months_order"] = eod.Months_order
      out["start_date"] = eod.start_date
      out["starting_balance"] = eod.starting_balance
      return ParseResult.succeed(out)
    }
  })
)

/**
 * Everything BankConnect derived for one account. Every field is optional: lists and maps
 * read as empty, objects and scalars as `null`, when absent (the May 2024 form has no
 * recurring, lender or self-and-sister lists, no stats, no score).
 *
 * @since 0.3.0
 * @category schemas
 */
export class AccountData extends Schema.Class<AccountData>("Insights.AccountData")({
  account_details: objectOrNull(AccountDetails),
  /** Every transaction. */
  transactions: list(Transaction),
  salary_transactions: list(SalaryTransaction),
  /** 2024+. */
  lender_transactions: list(FlatTransaction),
  /** 2025: transfers to the holder's own and related accounts. */
  self_and_sister_transactions: list(FlatTransaction),
  /** 2024+. */
  recurring_transactions: objectOrNull(RecurringTransactions),
  top_credits_debits: list(TopList),
  /** Only `[]` has been shown; kept as they come. */
  bounced_or_penal_transactions: list(Schema.Unknown),
  fraud: list(Fraud),
  fraud_details: objectOrNull(FraudDetails),
  statement_stats: list(StatementStats),
  expense_categories: list(ExpenseCategory),
  monthly_analysis: monthlyAnalysis,
  predictors,
  eod_balances: eodBalances,
  /** 2024+: `655`, `496.0`; its meaning and range are undocumented. */
  score: num,
  /** The account's Excel report: a pre-signed link, valid about an hour. */
  xlsx_report_url: url,
  /** May 2024 only: the account's XML report. */
  xml_report_url: url
}) {}

let emptyData: AccountData | undefined
const emptyAccountData = (): AccountData => emptyData ??= new AccountData({})

/**
 * One account of the insights.
 *
 * @since 0.3.0
 * @category schemas
 */
export class Account extends Schema.Class<Account>("Insights.Account")({
  /** BankConnect's id of the account. */
  account_id: Schema.String,
  /** Its data; `null` or missing reads as empty data (every list empty, every value `null`). */
  data: objectOr(AccountData, Schema.typeSchema(AccountData), () => emptyAccountData())
}) {}

/**
 * The insights response.
 *
 * @since 0.3.0
 * @category schemas
 */
export class Insights extends Schema.Class<Insights>("Insights")({
  /** The session's id. */
  session_id: Schema.String,
  /** 2025: the customer id given at session creation. */
  link_id: text,
  /** 2025: the session's window, `YYYY-MM-DD` (not `DD/MM/YYYY` as elsewhere). */
  session_date_range: objectOrNull(UploadStatus.IsoDateRange),
  /** One entry per account. */
  accounts: list(Account),
  /** 2025: the monthly analysis across accounts. */
  aggregate_monthly_analysis: monthlyAnalysis,
  /** 2024+: the session's Excel report, a pre-signed link valid about an hour. */
  aggregate_xlsx_report_url: url,
  /** 2025: the session's XML report, a pre-signed link valid about an hour. */
  aggregate_xml_report_url: url
}) {}

// ---------------------------------------------------------------------------------------
// Decoding: a hand-written path for the transaction lists, in slices
// ---------------------------------------------------------------------------------------

type Issue = ParseResult.ParseIssue
type Result<A> = Either.Either<A, Issue>
/** A decoder that may be paused: it yields after each unit of work. */
type Steps<A> = Generator<undefined, Result<A>, undefined>
type Sliced<A> = (u: unknown) => Steps<A>
/** A field decoder: `undefined` declines, and the field's schema decides. */
type FieldSteps = (value: unknown) => Generator<undefined, Result<unknown> | undefined, undefined>

interface ClassOf<A> {
  readonly fields: Schema.Struct.Fields
  new(props: any, options?: boolean): A
}

type Reader = (u: unknown) => unknown

/**
 * A hand-written decoder for a class of the documented shape: every field read with its
 * schema's reader; `undefined` (declined) for any value off that shape. It builds the
 * instance as the class' constructor does (`Data.Class`: the fields assigned onto an
 * object of the class' prototype) in one allocation, without the constructor's copies:
 * these are most of the cost of a transaction. The property tests check that the result
 * equals the schema's.
 */
const fastClass = <A>(Class: ClassOf<A>, readers: Record<string, Reader>): (u: unknown) => A | undefined => {
  const names = Object.keys(readers)
  const reads = names.map((name) => readers[name]!)
  const fields = Object.keys(Class.fields)
  if (fields.length !== names.length || fields.some((name) => !Object.hasOwn(readers, name))) {
    throw new Error(`Insights: the fast path of ${Class.name} does not read exactly its fields`)
  }
  const prototype = Class.prototype as object
  const count = names.length
  return (u) => {
    if (!isRecord(u)) return undefined
    const out: Record<string, unknown> = Object.create(prototype)
    for (let index = 0; index < count; index++) {
      const name = names[index]!
      const value = reads[index]!(u[name])
      if (value === undefined) return undefined
      out[name] = value
    }
    return out as A
  }
}

const optional = <A>(read: (u: unknown) => A | undefined) => (u: unknown): A | null | undefined =>
  u === null || u === undefined ? null : read(u)

const fastMetadata = fastClass(TransactionMetadata, {
  unclean_merchant: readText,
  transaction_channel: readText,
  description: readText
})

const transactionReaders: Record<keyof typeof transactionFields, Reader> = {
  transaction_type: readText,
  transaction_note: readText,
  chq_num: readText,
  amount: readNumber,
  balance: readNumber,
  date: readText,
  hash: readText,
  category: readText
}

const fastTransaction = fastClass(Transaction, { ...transactionReaders, metadata: optional(fastMetadata) })
const fastSalary = fastClass(SalaryTransaction, {
  ...transactionReaders,
  metadata: optional(fastMetadata),
  employer_name: readText,
  salary_month: readText
})
const fastFlat = fastClass(FlatTransaction, {
  ...transactionReaders,
  transaction_channel: readText,
  merchant_category: readText,
  description: readText
})

/** The fast path for one element, the element's schema when it declines. */
const element = <A, I>(schema: Schema.Schema<A, I>, fast: (u: unknown) => A | undefined) => {
  const slow = lazily(() => ParseResult.decodeUnknownEither(schema))
  return (u: unknown): Result<A> => {
    const quick = fast(u)
    return quick === undefined ? slow(u) : Either.right(quick)
  }
}

/** A list field read element by element, pausing after each. */
const listOf = <A>(decodeElement: (u: unknown) => Result<A>): FieldSteps =>
  function*(value) {
    if (value === null || value === undefined) return Either.right([])
    if (!Array.isArray(value)) return undefined
    const out: Array<A> = new Array(value.length)
    for (let index = 0; index < value.length; index++) {
      const result = decodeElement(value[index])
      if (Either.isLeft(result)) return Either.left(new ParseResult.Pointer(index, value, result.left))
      out[index] = result.right
      yield
    }
    return Either.right(out)
  }

/** A list field whose elements are decoded in slices themselves. */
const listOfSliced = <A>(decodeElement: Sliced<A>): FieldSteps =>
  function*(value) {
    if (value === null || value === undefined) return Either.right([])
    if (!Array.isArray(value)) return undefined
    const out: Array<A> = new Array(value.length)
    for (let index = 0; index < value.length; index++) {
      const result = yield* decodeElement(value[index])
      if (Either.isLeft(result)) return Either.left(new ParseResult.Pointer(index, value, result.left))
      out[index] = result.right
    }
    return Either.right(out)
  }

/** An object field decoded in slices; `fallback()` for `null` or a missing field. */
const objectOfSliced = <A>(decodeObject: Sliced<A>, fallback: () => A | null): FieldSteps =>
  function*(value) {
    if (value === null || value === undefined) return Either.right(fallback())
    if (!isRecord(value)) return undefined
    return yield* decodeObject(value)
  }

/**
 * A class decoded field by field in its declaration order (the schema's order, so the
 * first error is the schema's first error): the given fields with their sliced decoders,
 * the others with their schemas, pausing after each.
 */
const sliced = <A>(Class: ClassOf<A> & Schema.Schema<A, any>, special: Record<string, FieldSteps>): Sliced<A> => {
  const whole = lazily(() => ParseResult.decodeUnknownEither(Class))
  const steps = Object.entries(Class.fields).map(([name, field]) => ({
    name,
    special: Object.hasOwn(special, name) ? special[name] : undefined,
    schema: lazily(() =>
      ParseResult.decodeUnknownEither(
        Schema.Struct({ [name]: field }) as unknown as Schema.Schema<Record<string, unknown>, unknown>
      )
    )
  }))
  return function*(u) {
    if (!isRecord(u)) return whole(u)
    const props: Record<string, unknown> = {}
    for (const step of steps) {
      const result = step.special === undefined ? undefined : yield* step.special(u[step.name])
      if (result === undefined) {
        const decoded = step.schema(u)
        if (Either.isLeft(decoded)) return Either.left(decoded.left)
        props[step.name] = decoded.right[step.name]
      } else if (Either.isLeft(result)) {
        return Either.left(new ParseResult.Pointer(step.name, u, result.left))
      } else {
        props[step.name] = result.right
      }
      yield
    }
    return Either.right(new Class(props, true))
  }
}

const fastTop = fastClass(TopTransaction, { ...transactionReaders, metadata: optional(fastMetadata) })

const slicedFlatList = listOf(element(FlatTransaction, fastFlat))

const slicedTopMonth = sliced(TopMonth, { data: listOf(element(TopTransaction, fastTop)) })

const slicedTopList = sliced(TopList, { data: listOfSliced(slicedTopMonth) })

const slicedGroup = sliced(RecurringGroup, { transactions: slicedFlatList })

const slicedRecurring = sliced(RecurringTransactions, {
  debit_transactions: listOfSliced(slicedGroup),
  credit_transactions: listOfSliced(slicedGroup)
})

const slicedAccountData = sliced(AccountData, {
  transactions: listOf(element(Transaction, fastTransaction)),
  salary_transactions: listOf(element(SalaryTransaction, fastSalary)),
  lender_transactions: slicedFlatList,
  self_and_sister_transactions: slicedFlatList,
  recurring_transactions: objectOfSliced(slicedRecurring, () => null),
  top_credits_debits: listOfSliced(slicedTopList)
})

const slicedAccount = sliced(Account, { data: objectOfSliced(slicedAccountData, emptyAccountData) })

const slicedInsights = sliced(Insights, { accounts: listOfSliced(slicedAccount) })

/**
 * The longest a slice of {@link decode} runs before it lets the event loop turn, in
 * milliseconds. A slice ends at the first pause after this (a transaction, a field, or the
 * predictors of one account), so it may run a little over.
 *
 * @since 0.3.0
 * @category decoding
 */
export const sliceMillis = 8

const now: () => number = typeof performance === "object" ? () => performance.now() : () => Date.now()

/**
 * A turn of the event loop. `Effect.yieldNow()` alone would not give one: the default
 * scheduler resumes a yielded fiber in a microtask, before any I/O or timer runs.
 */
const nextTurn: Effect.Effect<void> = Effect.async<void>((resume) => {
  if (typeof setImmediate === "function") {
    const handle = setImmediate(() => resume(Effect.void))
    return Effect.sync(() => clearImmediate(handle))
  }
  const handle = setTimeout(() => resume(Effect.void), 0)
  return Effect.sync(() => clearTimeout(handle))
})

const toParseError = (result: Result<Insights>): Either.Either<Insights, ParseResult.ParseError> =>
  Either.isLeft(result) ? Either.left(new ParseResult.ParseError({ issue: result.left })) : Either.right(result.right)

/**
 * Decodes an insights response body (already parsed from JSON) without holding the event
 * loop: the work is cut into slices of about {@link sliceMillis} with a turn of the event
 * loop between them, and the fiber can be interrupted between slices. Gives what
 * `Schema.decodeUnknown(Insights)` gives (the same value, or an error with the same path
 * and message), about ten times faster. The effect is asynchronous once a body takes more
 * than one slice: run it with `Effect.runPromise` or in a fiber, not `Effect.runSync`
 * (or use {@link decodeEither}).
 *
 * @example
 * ```ts
 * import { Insights } from "@effect-bankconnect/client"
 * import { Effect, Redacted } from "effect"
 *
 * const body = {
 *   session_id: "s-1",
 *   session_date_range: { from_date: "2025-08-11", to_date: "2025-11-11" },
 *   accounts: [{
 *     account_id: "a-1",
 *     data: {
 *       transactions: [{
 *         transaction_type: "credit", transaction_note: "SALARY", chq_num: "", amount: 1609.0, balance: 1614,
 *         date: "2025-08-11 00:00:00", hash: "46c183428a4a30cd190d2a5dd5bbccd8", category: "Salary"
 *       }],
 *       monthly_analysis: { no_of_days_to_serve_cc_interest: { "Aug-2025": "0" } },
 *       predictors: { month_0: "Nov-25", income_0: 34457.0, income_1: null },
 *       score: "496.0",
 *       xlsx_report_url: "https://example.com/r.xlsx?X-Amz-Date=20251201T072844Z&X-Amz-Expires=3600"
 *     }
 *   }]
 * }
 *
 * Effect.runPromise(Insights.decode(body)).then((insights) => {
 *   const data = insights.accounts[0]!.data
 *   assert.strictEqual(data.transactions[0]!.chq_num, null)
 *   assert.strictEqual(data.score, 496)
 *   assert.deepStrictEqual(Insights.monthly(data.monthly_analysis, "no_of_days_to_serve_cc_interest"), [
 *     { month: "Aug-2025", yearMonth: { year: 2025, month: 8 }, value: 0 }
 *   ])
 *   assert.deepStrictEqual(Insights.predictorSeries(data.predictors, "income").map((slot) => slot.value), [34457, null])
 *   const [link] = Insights.reportLinks(insights)
 *   assert.strictEqual(link?.kind, "account-xlsx")
 *   assert.strictEqual(String(link?.url), "<redacted>")
 *   assert.strictEqual(Redacted.value(link!.url).startsWith("https://example.com/"), true)
 *   assert.strictEqual(link?.expiresAt?.toJSON(), "2025-12-01T08:28:44.000Z")
 * })
 * ```
 *
 * @since 0.3.0
 * @category decoding
 */
export const decode = (json: unknown): Effect.Effect<Insights, ParseResult.ParseError> =>
  Effect.suspend(() => {
    const steps = slicedInsights(json)
    const slice = (): Effect.Effect<Insights, ParseResult.ParseError> => {
      const deadline = now() + sliceMillis
      for (;;) {
        const next = steps.next()
        if (next.done) {
          return Either.isLeft(next.value)
            ? Effect.fail(new ParseResult.ParseError({ issue: next.value.left }))
            : Effect.succeed(next.value.right)
        }
        if (now() >= deadline) return Effect.flatMap(nextTurn, slice)
      }
    }
    return slice()
  })

/**
 * Decodes an insights response body in one go, with the fast path of {@link decode} but
 * no pauses: it holds the event loop about as long as `JSON.parse` of the same body did.
 * For scripts, tests and small bodies.
 *
 * @since 0.3.0
 * @category decoding
 */
export const decodeEither = (json: unknown): Either.Either<Insights, ParseResult.ParseError> => {
  const steps = slicedInsights(json)
  for (;;) {
    const next = steps.next()
    if (next.done) return toParseError(next.value)
  }
}

// ---------------------------------------------------------------------------------------
// Getters
// ---------------------------------------------------------------------------------------

/**
 * What a report link is: the session's Excel or XML report, or an account's.
 *
 * @since 0.3.0
 * @category models
 */
export type ReportKind = "aggregate-xlsx" | "aggregate-xml" | "account-xlsx" | "account-xml"

/**
 * A report link with its expiry.
 *
 * @since 0.3.0
 * @category models
 */
export interface ReportLink {
  readonly kind: ReportKind
  /** The account, for `account-xlsx` and `account-xml`. */
  readonly accountId?: string
  /** The pre-signed link: a bearer credential, so `Redacted`. */
  readonly url: Redacted.Redacted<string>
  /**
   * `X-Amz-Date` plus `X-Amz-Expires` (an hour, in every example), or `undefined` when the
   * link does not say. The link's temporary credentials may end sooner.
   */
  readonly expiresAt: DateTime.Utc | undefined
}

const link = (kind: ReportKind, url: Redacted.Redacted<string>, accountId?: string): ReportLink => ({
  kind,
  ...(accountId === undefined ? {} : { accountId }),
  url,
  expiresAt: WireDates.presignedExpiry(Redacted.value(url))
})

/**
 * Every report link of the insights, session links first, each with its expiry.
 *
 * @since 0.3.0
 * @category getters
 */
export const reportLinks = (insights: Insights): ReadonlyArray<ReportLink> => {
  const out: Array<ReportLink> = []
  if (insights.aggregate_xlsx_report_url !== null) out.push(link("aggregate-xlsx", insights.aggregate_xlsx_report_url))
  if (insights.aggregate_xml_report_url !== null) out.push(link("aggregate-xml", insights.aggregate_xml_report_url))
  for (const account of insights.accounts) {
    const data = account.data
    if (data.xlsx_report_url !== null) out.push(link("account-xlsx", data.xlsx_report_url, account.account_id))
    if (data.xml_report_url !== null) out.push(link("account-xml", data.xml_report_url, account.account_id))
  }
  return out
}

const asNumber = (value: unknown): number | null => {
  const read = readNumber(value)
  return read === undefined ? null : read
}

/**
 * One metric of a monthly analysis, month by month in the map's order: the month key
 * (`Aug-2025`), the month parsed, and the value read as a number (a numeric string such as
 * `"0"` counts; anything else is `null`). Empty for an unknown metric.
 *
 * @since 0.3.0
 * @category getters
 */
export const monthly = (
  analysis: MonthlyAnalysis,
  metric: string
): ReadonlyArray<
  { readonly month: string; readonly yearMonth: YearMonth | undefined; readonly value: number | null }
> => {
  const months = Object.hasOwn(analysis, metric) ? analysis[metric]! : {}
  return Object.keys(months).map((month) => ({
    month,
    yearMonth: WireDates.monthYear(month),
    value: asNumber(months[month])
  }))
}

/**
 * A predictor read as a number (a numeric string counts), or `undefined` when it is
 * missing, `null`, or not a number.
 *
 * @since 0.3.0
 * @category getters
 */
export const predictorNumber = (predictors: Predictors, key: string): number | undefined => {
  const value = Object.hasOwn(predictors, key) ? predictors[key] : undefined
  if (typeof value === "boolean") return undefined
  const read = readNumber(value)
  return read === undefined || read === null ? undefined : read
}

/**
 * A month-indexed predictor (`<name>_0`, `<name>_1`, …) as a series, latest month first:
 * each slot's index, its month (from `month_<index>`, `Mon-YY`) and its value as a number
 * (`null` when unused or not a number). Stops at the first index with neither a value nor
 * a month.
 *
 * @since 0.3.0
 * @category getters
 */
export const predictorSeries = (
  predictors: Predictors,
  name: string
): ReadonlyArray<{ readonly index: number; readonly month: YearMonth | undefined; readonly value: number | null }> => {
  const out: Array<{ readonly index: number; readonly month: YearMonth | undefined; readonly value: number | null }> =
    []
  for (let index = 0; index < 120; index++) {
    const key = `${name}_${index}`
    const monthKey = `month_${index}`
    if (!Object.hasOwn(predictors, key) && !Object.hasOwn(predictors, monthKey)) break
    if (!Object.hasOwn(predictors, key)) continue
    out.push({
      index,
      month: WireDates.monthShortYear(predictors[monthKey]),
      value: predictorNumber(predictors, key) ?? null
    })
  }
  return out
}
