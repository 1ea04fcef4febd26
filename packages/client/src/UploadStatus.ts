/**
 * The upload status response (`GET /session_data/{session_id}/session_upload_status/`):
 * where a session stands before processing (no uploads, uploads in progress, completed,
 * expired), its accounts with the months they cover and the gaps between uploads, and each
 * statement. Also the models the session status and the webhooks share with it: a
 * statement, its error codes, and the two date-range forms.
 *
 * Decoding is tolerant, as the API evolves: statuses are open sets (known values typed,
 * any other string kept), `null`, `""` and a missing field read alike where a value is
 * optional, and unknown extra fields are ignored. Dates stay the wire strings, with parsed
 * getters beside them (`from`, `to`, `createdAt`, `expiresAt`) that give `undefined` for a
 * value that does not parse.
 *
 * @since 0.3.0
 */
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as WireDates from "./internal/wireDates.js"
import * as WireField from "./internal/wireField.js"
import type { Open } from "./Progress.js"

const { noneIfEmpty, nullable, open } = WireField

/** A string, or `null` for anything else (`""`, `null`, a number, a missing field): never fails. */
const lenientText = Schema.optionalWith(
  Schema.transform(Schema.Unknown, Schema.NullOr(Schema.String), {
    strict: true,
    decode: (value) => typeof value === "string" && value !== "" ? value : null,
    encode: (value) => value
  }),
  { exact: true, default: () => null }
)

const strings = Schema.optionalWith(Schema.Array(Schema.String), { nullable: true, default: () => [] })

/**
 * A calendar month, such as `{ year: 2025, month: 8 }` for `2025-08`.
 *
 * @since 0.3.0
 * @category models
 */
export type YearMonth = WireDates.YearMonth

/**
 * A date range written `DD/MM/YYYY` (`11/08/2025` is 11 August): a session's requested
 * window and a statement's own period, here, in the session status and in the webhooks.
 * `""` (2024) reads as `null`.
 *
 * @since 0.3.0
 * @category schemas
 */
export class DateRange extends Schema.Class<DateRange>("UploadStatus.DateRange")({
  /** The first day, `DD/MM/YYYY`. */
  from_date: noneIfEmpty(Schema.String),
  /** The last day, `DD/MM/YYYY`. */
  to_date: noneIfEmpty(Schema.String)
}) {
  /** The first day (midnight UTC), or `undefined` when absent or malformed. */
  get from(): DateTime.Utc | undefined {
    return WireDates.dayMonthYear(this.from_date)
  }
  /** The last day (midnight UTC), or `undefined` when absent or malformed. */
  get to(): DateTime.Utc | undefined {
    return WireDates.dayMonthYear(this.to_date)
  }
}

/**
 * A date range written `YYYY-MM-DD`: a gap in an account's uploads (`missing_data`), and
 * the insights' date ranges. Its fields never fail to decode: a value that is not a string
 * reads as `null`.
 *
 * @since 0.3.0
 * @category schemas
 */
export class IsoDateRange extends Schema.Class<IsoDateRange>("UploadStatus.IsoDateRange")({
  /** The first day, `YYYY-MM-DD`. */
  from_date: lenientText,
  /** The last day, `YYYY-MM-DD`. */
  to_date: lenientText
}) {
  /** The first day (midnight UTC), or `undefined` when absent or malformed. */
  get from(): DateTime.Utc | undefined {
    return WireDates.isoDate(this.from_date)
  }
  /** The last day (midnight UTC), or `undefined` when absent or malformed. */
  get to(): DateTime.Utc | undefined {
    return WireDates.isoDate(this.to_date)
  }
}

const isRange = (value: unknown): boolean => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false
  const range = value as { from_date?: unknown; to_date?: unknown }
  return typeof range.from_date === "string" || typeof range.to_date === "string"
}

/**
 * An account's `missing_data`: the gaps in its uploads as {@link IsoDateRange}s. It never
 * fails to decode, so that one odd element cannot cost a whole response or webhook
 * delivery: an element that is not a range (not an object with a string `from_date` or
 * `to_date`) is left out, and a value that is not an array (`null`, missing) reads as none.
 *
 * @since 0.3.0
 * @category schemas
 */
export const MissingData: Schema.Schema<ReadonlyArray<IsoDateRange>, unknown> = Schema.transform(
  Schema.Unknown,
  Schema.Array(IsoDateRange),
  {
    strict: false,
    decode: (value) => Array.isArray(value) ? value.filter(isRange) : [],
    encode: (ranges) => ranges
  }
)

/**
 * A statement's status: `completed` or `failed` (an open set).
 *
 * @since 0.3.0
 * @category models
 */
export type StatementStatus = Open<"completed" | "failed">

/**
 * @since 0.3.0
 * @category schemas
 */
export const StatementStatus: Schema.Schema<StatementStatus> = open("completed", "failed")

/**
 * The statement error codes the documentation lists (the session status page prints them
 * in two tables; here they are merged), with their documented messages.
 *
 * @since 0.3.0
 * @category constants
 */
export const statementErrorMessages = {
  PASSWORD_INCORRECT: "The provided password is incorrect",
  BANK_NAME_MISMATCH: "The bank name in the statement doesn't match the selected bank",
  STATEMENT_UNSUPPORTED_FORMAT: "The statement format is not supported",
  STATEMENT_DUPLICATE: "A duplicate statement has been detected",
  NULL_ACCOUNT_NUMBER: "Account number is unavailable or unidentified",
  STATEMENT_TOO_MANY_PAGES: "The statement exceeds the allowed page limit",
  NO_TRANSACTIONS_FROM_AA: "Not able to fetch transactions from Account Aggregator",
  UNPARSABLE: "Failed to process because of an unparsable statement",
  PDF_IS_IMAGE: "Scanned images are not supported",
  EXTRACTION_FAILED: "Failed to extract information from the statement",
  OUT_OF_DATE_RANGE: "The statement uploaded is beyond the specified date range",
  STATEMENT_NO_TRANSACTIONS: "No transactions were identified in the uploaded statement",
  BANK_NAME_UNDETECTED: "Bank name could not be identified"
} as const

/**
 * A documented statement error code.
 *
 * @since 0.3.0
 * @category models
 */
export type KnownStatementErrorCode = keyof typeof statementErrorMessages

/**
 * The 13 documented statement error codes, in the documentation's order.
 *
 * @since 0.3.0
 * @category constants
 */
export const statementErrorCodes = Object.keys(statementErrorMessages) as ReadonlyArray<KnownStatementErrorCode>

/**
 * Why a statement failed: one of the 13 documented codes, or another string the API may
 * add.
 *
 * @since 0.3.0
 * @category models
 */
export type StatementErrorCode = Open<KnownStatementErrorCode>

/**
 * @since 0.3.0
 * @category schemas
 */
export const StatementErrorCode: Schema.Schema<StatementErrorCode> = open(...statementErrorCodes)

/**
 * Whether a statement error code is one of the documented ones.
 *
 * @since 0.3.0
 * @category predicates
 */
export const isKnownStatementErrorCode = (code: string): code is KnownStatementErrorCode =>
  Object.hasOwn(statementErrorMessages, code)

/**
 * Where a statement came from: `pdf` (`PDF` on some endpoints), `aa` or `online`; an open
 * set.
 *
 * @since 0.3.0
 * @category models
 */
export type Source = Open<"pdf" | "aa" | "online">

/**
 * One statement, as the upload status and the session status list it (the session status
 * omits `upload_file_name` and `statement_date_range` in some revisions, and its 2024 form
 * sends every field `null`).
 *
 * @since 0.3.0
 * @category schemas
 */
export class Statement extends Schema.Class<Statement>("UploadStatus.Statement")({
  /** BankConnect's id of the statement. */
  statement_id: nullable(Schema.String),
  /** `completed` or `failed` (an open set). */
  statement_status: nullable(StatementStatus),
  /** Why the statement failed; `null` (or `""` in 2024) when it did not. */
  error_code: noneIfEmpty(StatementErrorCode),
  /** The failure's message; `null` when the statement did not fail. */
  error_message: noneIfEmpty(Schema.String),
  /** `pdf`, `aa` or `online` (an open set). */
  source: nullable(Schema.String as Schema.Schema<Source>),
  /** The stored file's name, `<uuid>_<bank>.pdf` (2025). */
  upload_file_name: noneIfEmpty(Schema.String),
  /** The statement's own period, `DD/MM/YYYY`. */
  statement_date_range: nullable(DateRange),
  /**
   * When the statement was uploaded: `2025-11-13 06:48:43.660968+00:00` here,
   * `2025-11-13T06:48:43.660968Z` in the session status.
   */
  created_at: noneIfEmpty(Schema.String)
}) {
  /** `created_at` parsed (either form), or `undefined`. */
  get createdAt(): DateTime.Utc | undefined {
    return WireDates.timestamp(this.created_at)
  }
  /** Whether the statement failed: its status is `failed` or it carries an error code. */
  get failed(): boolean {
    return this.statement_status === "failed" || this.error_code !== null
  }
}

/**
 * An account's upload status: upper case here (`PARTIAL`, `COMPLETED`), an open set.
 *
 * @since 0.3.0
 * @category models
 */
export type AccountStatus = Open<"PARTIAL" | "COMPLETED">

/**
 * @since 0.3.0
 * @category schemas
 */
export const AccountStatus: Schema.Schema<AccountStatus> = open("PARTIAL", "COMPLETED")

/**
 * One account of the upload status.
 *
 * @since 0.3.0
 * @category schemas
 */
export class Account extends Schema.Class<Account>("UploadStatus.Account")({
  /** BankConnect's id of the account. */
  account_id: nullable(Schema.String),
  /** Unmasked here (`924010040573135`); `null` when unknown. */
  account_number: noneIfEmpty(Schema.String),
  /** The bank's lower-case id, such as `axis`. */
  bank_name: nullable(Schema.String),
  /** 2025: such as `Axis Bank`. */
  full_bank_name: noneIfEmpty(Schema.String),
  /** 2025: the holder's name (`""` when unknown reads as `null`). */
  name: noneIfEmpty(Schema.String),
  /** 2025: such as `SAVINGS` (`""` when unknown reads as `null`). */
  account_type: noneIfEmpty(Schema.String),
  /** `PARTIAL` or `COMPLETED` (an open set). */
  account_status: nullable(AccountStatus),
  /** The months covered, `YYYY-MM`; may be empty. */
  months: strings,
  /** The gaps in the uploads (absent in 2024). */
  missing_data: Schema.optionalWith(MissingData, { exact: true, default: () => [] }),
  /** `YYYY-MM-DD HH:MM:SS`. */
  created_at: noneIfEmpty(Schema.String),
  /** `YYYY-MM-DD HH:MM:SS`. */
  last_updated_at: noneIfEmpty(Schema.String),
  /** The account's statements. */
  statements: Schema.optionalWith(Schema.Array(Statement), { nullable: true, default: () => [] })
}) {
  /** `months` parsed; a month that does not parse is left out. */
  get coveredMonths(): ReadonlyArray<YearMonth> {
    return this.months.map(WireDates.yearMonth).filter((month): month is YearMonth => month !== undefined)
  }
  /** `created_at` parsed (read as UTC), or `undefined`. */
  get createdAt(): DateTime.Utc | undefined {
    return WireDates.naiveDateTime(this.created_at)
  }
  /** `last_updated_at` parsed (read as UTC), or `undefined`. */
  get lastUpdatedAt(): DateTime.Utc | undefined {
    return WireDates.naiveDateTime(this.last_updated_at)
  }
}

/**
 * The response's `error`: `{}` on success, so only a non-empty `code` means failure (see
 * {@link UploadStatus.failure}).
 *
 * @since 0.3.0
 * @category schemas
 */
export class UploadError extends Schema.Class<UploadError>("UploadStatus.UploadError")({
  code: noneIfEmpty(Schema.String),
  message: noneIfEmpty(Schema.String)
}) {}

/**
 * The wire values of `upload_status`. The 2024 example writes `NO_UPLOAD`, `IN_PROGRESS`,
 * `COMPLETED`; the 2025 prose writes `NO UPLOADS`, `IN PROGRESS`, `EXPIRED`. An open set:
 * read it through {@link phase}.
 *
 * @since 0.3.0
 * @category models
 */
export type Value = Open<"NO_UPLOAD" | "NO_UPLOADS" | "IN_PROGRESS" | "IN PROGRESS" | "COMPLETED" | "EXPIRED">

/**
 * @since 0.3.0
 * @category schemas
 */
export const Value: Schema.Schema<Value> = open(
  "NO_UPLOAD",
  "NO_UPLOADS",
  "IN_PROGRESS",
  "IN PROGRESS",
  "COMPLETED",
  "EXPIRED"
)

/**
 * `upload_status` normalised: `NoUploads` (nothing uploaded yet, or a session that cannot
 * be retrieved), `InProgress` (uploads started, requirements not met), `Completed` (the
 * completion webhook was sent or processing was requested: this overrides `PARTIAL`
 * accounts and `missing_data`), `Expired` (the expiry passed without processing), or
 * `Unknown` for a value this library does not know.
 *
 * @since 0.3.0
 * @category models
 */
export type Phase = "NoUploads" | "InProgress" | "Completed" | "Expired" | "Unknown"

/**
 * Reads an `upload_status` value, whatever its spelling: case, spaces, hyphens and
 * underscores are ignored, and `NO_UPLOAD` reads as `NO_UPLOADS`.
 *
 * @since 0.3.0
 * @category getters
 */
export const phase = (value: string): Phase => {
  switch (value.trim().toUpperCase().replace(/[\s_-]+/g, "_")) {
    case "NO_UPLOAD":
    case "NO_UPLOADS":
      return "NoUploads"
    case "IN_PROGRESS":
      return "InProgress"
    case "COMPLETED":
      return "Completed"
    case "EXPIRED":
      return "Expired"
    default:
      return "Unknown"
  }
}

/**
 * The upload status response.
 *
 * @since 0.3.0
 * @category schemas
 */
export class UploadStatus extends Schema.Class<UploadStatus>("UploadStatus")({
  /** The session's id. */
  session_id: Schema.String,
  /** The requested window, `DD/MM/YYYY` (`""` in 2024 reads as `null`). */
  session_date_range: nullable(DateRange),
  /** The wire value; read {@link UploadStatus.phase}. */
  upload_status: Value,
  /** When the session expires, `YYYY-MM-DD HH:MM:SS` (absent in 2024). */
  session_expiry_timestamp: noneIfEmpty(Schema.String),
  /** `{}` on success (absent in 2024); see {@link UploadStatus.failure}. */
  error: nullable(UploadError),
  /** One entry per account detected so far. */
  accounts: Schema.optionalWith(Schema.Array(Account), { nullable: true, default: () => [] })
}) {
  /** `upload_status` normalised. */
  get phase(): Phase {
    return phase(this.upload_status)
  }
  /** `session_expiry_timestamp` parsed (read as UTC), or `undefined`. */
  get expiresAt(): DateTime.Utc | undefined {
    return WireDates.naiveDateTime(this.session_expiry_timestamp)
  }
  /** The error the response reports, or `null`: only a non-empty `error.code` is one (`{}` is success). */
  get failure(): { readonly code: string; readonly message: string | null } | null {
    const code = this.error?.code ?? null
    return code === null ? null : { code, message: this.error?.message ?? null }
  }
}

/**
 * Whether the uploads are over: completed, or expired. Polling the upload status ends
 * here.
 *
 * @since 0.3.0
 * @category predicates
 */
export const isFinal = (status: UploadStatus): boolean => {
  const current = status.phase
  return current === "Completed" || current === "Expired"
}

/**
 * The statements that failed, across accounts.
 *
 * @since 0.3.0
 * @category getters
 */
export const failedStatements = (status: UploadStatus): ReadonlyArray<Statement> =>
  status.accounts.flatMap((account) => account.statements.filter((statement) => statement.failed))

/**
 * Decodes an upload status response body (already parsed from JSON).
 *
 * @example
 * ```ts
 * import { UploadStatus } from "@effect-bankconnect/client"
 * import { Effect } from "effect"
 *
 * const status = Effect.runSync(UploadStatus.decode({
 *   session_id: "s-1",
 *   session_date_range: { from_date: "11/08/2025", to_date: "11/11/2025" },
 *   upload_status: "IN PROGRESS",
 *   session_expiry_timestamp: "2025-11-13 07:48:34",
 *   error: {},
 *   accounts: [{
 *     account_id: "a-1",
 *     account_status: "PARTIAL",
 *     months: ["2025-08", "2025-09"],
 *     missing_data: [{ from_date: "2025-11-03", to_date: "2025-11-11" }],
 *     statements: [{ statement_id: "st-1", statement_status: "completed", error_code: null, source: "pdf" }]
 *   }]
 * }))
 *
 * assert.strictEqual(status.phase, "InProgress")
 * assert.strictEqual(UploadStatus.isFinal(status), false)
 * assert.strictEqual(status.failure, null)
 * assert.strictEqual(status.expiresAt?.toJSON(), "2025-11-13T07:48:34.000Z")
 * assert.strictEqual(status.accounts[0]!.missing_data[0]!.from?.toJSON(), "2025-11-03T00:00:00.000Z")
 * assert.deepStrictEqual(status.accounts[0]!.coveredMonths, [{ year: 2025, month: 8 }, { year: 2025, month: 9 }])
 * ```
 *
 * @since 0.3.0
 * @category decoding
 */
export const decode: (u: unknown) => Effect.Effect<UploadStatus, ParseResult.ParseError> = Schema.decodeUnknown(
  UploadStatus
)
