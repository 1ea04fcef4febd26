/**
 * A scenario scripts one simulated session: its accounts and statements, how long each
 * processing stage takes, how each account ends, how its webhook is delivered, and the
 * faults its calls meet. Every field has a default, so `{}` is a valid scenario: one
 * account with one PDF statement that completes after four one-second stages.
 *
 * @since 0.1.0
 */
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Limits from "./Limits.js"

const Millis = Schema.Number.pipe(Schema.int(), Schema.between(0, Limits.maxMillis))
const Share = Schema.Number.pipe(Schema.between(0, 1))

/** How many items an input holds: a string's characters, an array's elements, an object's keys. */
const sizeOf = (input: unknown): number =>
  typeof input === "string" || Array.isArray(input)
    ? input.length
    : typeof input === "object" && input !== null
    ? Object.keys(input).length
    : 0

/** The message of a size past a limit, naming the limit: `what` counts the unit, `limit` is its name. */
const pastLimit = (max: number, what: string, limit?: string) => ({
  message: (issue: ParseResult.ParseIssue) =>
    `Expected at most ${max} ${what}${limit === undefined ? "" : ` (Limits.${limit})`}, got ${sizeOf(issue.actual)}`
})

/** A string of at most `max` characters. */
const Text = (max: number, limit: string) =>
  Schema.String.pipe(Schema.maxLength(max, pastLimit(max, "characters", limit)))

/**
 * `self` (an array or a record), refused with a message naming the limit when its input
 * holds more than `max` items. The count is checked before any item is decoded, so a huge
 * input is refused as fast as a small one.
 */
const atMost = <S extends Schema.Schema.AnyNoContext>(self: S, max: number, what: string, limit?: string) =>
  Schema.compose(
    Schema.declare(
      (input: unknown): input is Schema.Schema.Encoded<S> => typeof input === "string" || sizeOf(input) <= max,
      pastLimit(max, what, limit)
    ),
    self,
    { strict: false }
  )

/**
 * The account failure codes of `ENRICHMENT_NOTIFICATION` and the session status call.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AccountErrorCode = Schema.Literal(
  "MISSING_TRANSACTIONS",
  "INCOMPLETE_MONTHS",
  "NULL_ACCOUNT_NUMBER",
  "BALANCE_MISMATCH",
  "INCOMPLETE_MONTHS_UPLOAD",
  "INCOMPLETE_DATES_UPLOAD",
  "UNPARSABLE"
)

/**
 * @since 0.1.0
 * @category models
 */
export type AccountErrorCode = typeof AccountErrorCode.Type

/**
 * A calendar month as `YYYY-MM`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const YearMonth = Schema.String.pipe(
  Schema.pattern(/^\d{4}-(0[1-9]|1[0-2])$/, { message: () => "Expected a month as YYYY-MM" })
)

/**
 * How an account ends: `completed`, or `failed` with an error code. The message is made
 * from the data the code carries (`months` for the two incomplete-months codes, `dates`
 * for `INCOMPLETE_DATES_UPLOAD`) unless `errorMessage` gives it.
 *
 * @example
 * ```ts
 * import { Scenario } from "@effect-bankconnect/simulator"
 * import { Schema } from "effect"
 *
 * const outcome = Schema.decodeUnknownSync(Scenario.Outcome)({
 *   status: "failed",
 *   errorCode: "INCOMPLETE_MONTHS",
 *   months: ["2023-11", "2023-12"]
 * })
 *
 * assert.strictEqual(outcome.status, "failed")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Outcome = Schema.Union(
  Schema.Struct({ status: Schema.Literal("completed") }),
  Schema.Struct({
    status: Schema.Literal("failed"),
    errorCode: AccountErrorCode,
    errorMessage: Schema.optional(Text(Limits.maxMessageLength, "maxMessageLength")),
    months: Schema.optional(atMost(Schema.NonEmptyArray(YearMonth), Limits.maxMonths, "months", "maxMonths")),
    dates: Schema.optional(
      atMost(
        Schema.Record({
          key: YearMonth,
          value: atMost(Schema.NonEmptyArray(Schema.Number.pipe(Schema.int(), Schema.between(1, 31))), 31, "days")
        }),
        Limits.maxMonths,
        "months",
        "maxMonths"
      )
    )
  })
)

/**
 * @since 0.1.0
 * @category models
 */
export type Outcome = typeof Outcome.Type

/**
 * One bank account of the session.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Account = Schema.Struct({
  /** How many statements the account has. Default 1. */
  statements: Schema.optionalWith(
    Schema.Number.pipe(
      Schema.int(),
      Schema.between(1, Limits.maxStatementsPerAccount, {
        message: (issue) =>
          `Expected an integer from 1 to ${Limits.maxStatementsPerAccount} (Limits.maxStatementsPerAccount), ` +
          `got ${String(issue.actual)}`
      })
    ),
    { default: () => 1 }
  ),
  /** Default `"sbi"`. */
  bankName: Schema.optionalWith(Text(Limits.maxNameLength, "maxNameLength").pipe(Schema.nonEmptyString()), {
    default: () => "sbi"
  }),
  /** Where the statements came from; `webhook_mode` 0 notifies only for `online`. Default `"pdf"`. */
  source: Schema.optionalWith(Schema.Literal("pdf", "online", "aa"), { default: () => "pdf" as const }),
  /** Default completed. */
  outcome: Schema.optionalWith(Outcome, { default: () => ({ status: "completed" as const }) })
})

/**
 * @since 0.1.0
 * @category models
 */
export type Account = typeof Account.Type

/**
 * How long each processing stage of a statement takes, in milliseconds. Default 1000 each.
 *
 * @since 0.1.0
 * @category schemas
 */
export const StageMillis = Schema.Struct({
  identity: Schema.optionalWith(Millis, { default: () => 1000 }),
  transaction: Schema.optionalWith(Millis, { default: () => 1000 }),
  processing: Schema.optionalWith(Millis, { default: () => 1000 }),
  fraud: Schema.optionalWith(Millis, { default: () => 1000 })
})

const Latency = Schema.Number.pipe(
  Schema.int(),
  Schema.between(0, Limits.maxLatencyMillis, {
    message: (issue) =>
      `Expected an integer from 0 to ${Limits.maxLatencyMillis} milliseconds (Limits.maxLatencyMillis), ` +
      `got ${String(issue.actual)}`
  })
)

const LatencyMillis = Schema.Tuple(Latency, Latency).pipe(
  Schema.filter(([min, max]) => min <= max || `Expected [min, max] with min <= max, got min ${min} > max ${max}`)
)

/**
 * Faults the API calls meet. Each rate is the share of calls (0 to 1) answered that way;
 * the kinds are drawn in this order: dropped connection, 5xx, 429, non-JSON gateway page.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Faults = Schema.Struct({
  /** Share of calls whose connection is closed without an answer. */
  dropRate: Schema.optionalWith(Share, { default: () => 0 }),
  /** Share of calls answered 500, 502, 503 or 504 with a JSON body. */
  errorRate: Schema.optionalWith(Share, { default: () => 0 }),
  /** Share of calls answered 429 with `Retry-After`. */
  rateLimitRate: Schema.optionalWith(Share, { default: () => 0 }),
  /** The `Retry-After` of a 429, in seconds. Default 1. */
  retryAfterSeconds: Schema.optionalWith(
    Schema.Number.pipe(Schema.int(), Schema.between(0, Limits.maxRetryAfterSeconds)),
    { default: () => 1 }
  ),
  /** Share of calls answered 502 with an HTML page instead of JSON. */
  nonJsonRate: Schema.optionalWith(Share, { default: () => 0 }),
  /** Added latency per call, drawn uniformly between the two bounds (milliseconds, min ≤ max). */
  latencyMillis: Schema.optionalWith(LatencyMillis, { default: () => [0, 0] as const })
})

/**
 * @since 0.1.0
 * @category models
 */
export type Faults = typeof Faults.Type

/**
 * How the session's `ENRICHMENT_NOTIFICATION` is delivered.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Webhook = Schema.Struct({
  /** `older`: errors as `null`; `newer`: `""` on success, plus `insights_available` and account details. */
  form: Schema.optionalWith(Schema.Literal("older", "newer"), { default: () => "newer" as const }),
  /** `false`: no webhook at all for this session. Default `true`. */
  send: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  /** Extra copies of the same delivery. Default 0. */
  duplicates: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.between(0, Limits.maxDuplicates)), {
    default: () => 0
  }),
  /** Deliver this long before the progress API shows the session completed. Default 0. */
  earlyMillis: Schema.optionalWith(Millis, { default: () => 0 })
})

/**
 * @since 0.1.0
 * @category models
 */
export type Webhook = typeof Webhook.Type

/**
 * The codes an upload can be refused with (`POST /statement/upload_session/`). Most also
 * happen on their own (a file that is not a PDF, the same PDF twice, a session past its
 * expiry); a scenario's `uploads` can script any of them.
 *
 * @since 0.3.0
 * @category schemas
 */
export const UploadErrorCode = Schema.Literal(
  "SESSION_EXPIRED",
  "TRIAL_PERIOD_EXPIRED",
  "INVALID_API_KEY",
  "MISSING_FILE_OBJECT",
  "INVALID_FILE_OBJECT",
  "EMPTY_FILE",
  "INVALID_FILE_URL",
  "INVALID_BASE_64",
  "PASSWORD_INCORRECT",
  "PDF_IS_IMAGE",
  "STATEMENT_UNSUPPORTED_FORMAT",
  "STATEMENT_DUPLICATE",
  "OUT_OF_DATE_RANGE",
  "BANK_NAME_UNDETECTED",
  "BANK_NAME_MISMATCH",
  "INVALID_ACCOUNT_CATEGORY"
)

/**
 * @since 0.3.0
 * @category models
 */
export type UploadErrorCode = typeof UploadErrorCode.Type

/**
 * What the n-th PDF uploaded to a session is (`uploads[n]` of a scenario, counting from 0
 * the uploads whose PDF was examined: a call refused before, for its key, its session or a
 * missing or invalid file, does not count). Every field is optional: by default a PDF is
 * accepted as a statement of the session's whole date range, of the bank the upload or the
 * session names, for one account per bank.
 *
 * @example
 * ```ts
 * import { Scenario } from "@effect-bankconnect/simulator"
 * import { Schema } from "effect"
 *
 * const uploads = Schema.decodeUnknownSync(Scenario.Scenario)({
 *   state: "upload",
 *   uploads: [{ password: "1234" }, { error: "PDF_IS_IMAGE" }, { months: ["2025-01"], accountNumber: "50100012345678" }]
 * }).uploads
 *
 * assert.strictEqual(uploads?.length, 3)
 * ```
 *
 * @since 0.3.0
 * @category schemas
 */
export const Upload = Schema.Struct({
  /** The upload is refused with this code (after the checks that come before it). */
  error: Schema.optional(UploadErrorCode),
  /** The months the statement covers (`YYYY-MM`); default the session's date range. Months
   * outside the session's range are dropped; none left is `OUT_OF_DATE_RANGE`. */
  months: Schema.optional(atMost(Schema.Array(YearMonth), Limits.maxMonths, "months", "maxMonths")),
  /** The bank the statement is detected as; `BANK_NAME_MISMATCH` when the upload or the
   * session named another. Default the bank named. */
  bankName: Schema.optional(Text(Limits.maxNameLength, "maxNameLength").pipe(Schema.nonEmptyString())),
  /** The account number read from it: uploads with the same bank and number are one account. */
  accountNumber: Schema.optional(
    Schema.String.pipe(Schema.pattern(/^[0-9A-Za-z]{4,30}$/, { message: () => "Expected 4 to 30 letters or digits" }))
  ),
  /** The account holder's name read from it. */
  name: Schema.optional(Text(Limits.maxNameLength, "maxNameLength")),
  /** The `pdf_password` it needs: `PASSWORD_INCORRECT` unless the upload sends this one. */
  password: Schema.optional(Text(Limits.maxNameLength, "maxNameLength")),
  /** The upload answers `is_fraud: true`, and insights list an `author_fraud`. */
  isFraud: Schema.optional(Schema.Boolean),
  /** Accepted, but fails processing as `UNPARSABLE`; when every upload is, `initiate_processing`
   * answers 400 `UNPARSABLE_STATEMENTS` (and the session stays open to uploads). */
  unparsable: Schema.optional(Schema.Boolean)
})

/**
 * @since 0.3.0
 * @category models
 */
export type Upload = typeof Upload.Type

/**
 * The insights call's data: how many months and transactions, and the seed they are drawn
 * from. The same seed and session give the same data, byte for byte.
 *
 * @since 0.3.0
 * @category schemas
 */
export const Insights = Schema.Struct({
  /** Months of data, ending with the session's last month. Default the session's months, at most 12. */
  months: Schema.optional(
    Schema.Number.pipe(
      Schema.int(),
      Schema.between(1, Limits.maxInsightsMonths, {
        message: (issue) =>
          `Expected an integer from 1 to ${Limits.maxInsightsMonths} (Limits.maxInsightsMonths), ` +
          `got ${String(issue.actual)}`
      })
    )
  ),
  /** Transactions per account. Default 4 per month. The session's accounts hold at most
   * `Limits.maxTransactionsPerSession` in all, shared equally when they would hold more. */
  transactions: Schema.optional(
    Schema.Number.pipe(
      Schema.int(),
      Schema.between(0, Limits.maxTransactionsPerSession, {
        message: (issue) =>
          `Expected an integer from 0 to ${Limits.maxTransactionsPerSession} (Limits.maxTransactionsPerSession), ` +
          `got ${String(issue.actual)}`
      })
    )
  ),
  /** The seed of the data. Default one made from the session id. */
  seed: Schema.optional(Schema.Number.pipe(Schema.int()))
})

/**
 * @since 0.3.0
 * @category models
 */
export type Insights = typeof Insights.Type

const IsoDay = Schema.String.pipe(
  Schema.pattern(/^\d{4}-\d{2}-\d{2}$/, { message: () => "Expected a date as YYYY-MM-DD" }),
  Schema.filter((text) => {
    const date = new Date(`${text}T00:00:00Z`)
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text)
  }, { message: () => "Expected a calendar date" })
)

const monthIndex = (text: string) => Number(text.slice(0, 4)) * 12 + Number(text.slice(5, 7)) - 1

/**
 * A session's date range (the `from_date` and `to_date` of the create call), as `YYYY-MM-DD`.
 *
 * @since 0.3.0
 * @category schemas
 */
export const DateRange = Schema.Struct({ fromDate: IsoDay, toDate: IsoDay }).pipe(
  Schema.filter(({ fromDate, toDate }) =>
    fromDate > toDate
      ? `Expected fromDate on or before toDate, got ${fromDate} > ${toDate}`
      : monthIndex(toDate) - monthIndex(fromDate) + 1 > Limits.maxMonths
      ? `Expected at most ${Limits.maxMonths} months (Limits.maxMonths)`
      : true
  )
)

/**
 * A session's script. Its sizes are bounded by {@link Limits}: accounts, statements (per
 * account and in all), the lengths of its strings and its durations.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Scenario = Schema.Struct({
  /** The session id; a random UUID when absent. */
  sessionId: Schema.optional(
    Text(Limits.maxIdLength, "maxIdLength").pipe(
      Schema.pattern(/^[A-Za-z0-9._~-]+$/, { message: () => "Expected letters, digits, '-', '_', '.' or '~'" }),
      // a URL path segment of "." or ".." is normalized away: no client could ask for it
      Schema.filter((id) => id !== "." && id !== "..", {
        message: () => "Expected a session id other than '.' or '..'"
      })
    )
  ),
  /** `processing` (the default): processing was requested at creation and runs now.
   * `not_requested`: `PROCESSING_NOT_REQUESTED` until `initiate_processing` is called.
   * `deleted`: `SESSION_DELETED` on every call.
   * `upload` (since 0.3.0): waits for statements through `POST /statement/upload_session/`, then
   * `initiate_processing`, as a session made by `POST /session/`; it expires after `expiryMinutes`. */
  state: Schema.optionalWith(Schema.Literal("processing", "not_requested", "deleted", "upload"), {
    default: () => "processing" as const
  }),
  /** Default one account with one statement. */
  accounts: Schema.optionalWith(
    atMost(Schema.NonEmptyArray(Account), Limits.maxAccounts, "accounts", "maxAccounts"),
    { default: () => [Account.make({})] as const }
  ),
  /** Default one second each. */
  stageMillis: Schema.optionalWith(StageMillis, { default: () => StageMillis.make({}) }),
  /** Statement n starts n × this after the first. Default 0 (all at once). */
  staggerMillis: Schema.optionalWith(Millis, { default: () => 0 }),
  /** Default: one delivery in the newer form when the session completes. */
  webhook: Schema.optionalWith(Webhook, { default: () => Webhook.make({}) }),
  /** Faults for this session's calls; the server-wide faults when absent. */
  faults: Schema.optional(Faults),
  /** Since 0.3.0. The customer id the session is for (`link_id`). Default `"simulator"`. */
  linkId: Schema.optional(Text(Limits.maxLinkIdLength, "maxLinkIdLength")),
  /** Since 0.3.0. The session's date range; default the six months to the day it is created. */
  dateRange: Schema.optional(DateRange),
  /** Since 0.3.0. An `upload` session expires this many minutes after creation (5 to 43,200). Default 60. */
  expiryMinutes: Schema.optional(Schema.Number.pipe(Schema.int(), Schema.between(5, 43_200))),
  /** Since 0.3.0. What each uploaded PDF is, by upload order ({@link Upload}). */
  uploads: Schema.optional(
    atMost(Schema.Array(Upload), Limits.maxUploadsPerSession, "uploads", "maxUploadsPerSession")
  ),
  /** Since 0.3.0. The status of `DUPLICATE_PROCESSING_REQUEST`: 400 (2025 docs) or 409 (2024 docs).
   * Default the simulator's `duplicateProcessingStatus`, else 400 for sessions made by the API and
   * 409 for scripted ones (as 0.2 answered). */
  duplicateProcessingStatus: Schema.optional(Schema.Literal(400, 409)),
  /** Since 0.3.0. The insights data ({@link Insights}). */
  insights: Schema.optional(Insights)
}).pipe(
  Schema.filter((scenario) => {
    const statements = scenario.accounts.reduce((sum, account) => sum + account.statements, 0)
    return statements <= Limits.maxStatementsPerSession || {
      path: ["accounts"],
      message: `Expected at most ${Limits.maxStatementsPerSession} statements in all ` +
        `(Limits.maxStatementsPerSession), got ${statements}`
    }
  })
)

/**
 * A scenario with every default filled in.
 *
 * @since 0.1.0
 * @category models
 */
export type Scenario = typeof Scenario.Type

/**
 * A scenario as written by a caller, every field optional.
 *
 * @since 0.1.0
 * @category models
 */
export type Input = typeof Scenario.Encoded
