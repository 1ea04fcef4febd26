/**
 * The session status response (`GET /session_data/{session_id}/session_status/`, step B
 * after processing): whether insights can be fetched, and each account's outcome with its
 * failure typed as {@link WebhookPayload.AccountFailure} (the same type the
 * `ENRICHMENT_NOTIFICATION` webhook gives) and its statements.
 *
 * Decoding is tolerant, as the API evolves: statuses and codes are open sets (known values
 * typed, any other string kept), `null`, `""` and a missing field read alike where a value
 * is optional (the 2024 form lacks `insights_available` and the account details, and sends
 * every statement field `null`), and unknown extra fields are ignored. Dates stay the wire
 * strings, with parsed getters beside them.
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
import * as UploadStatus from "./UploadStatus.js"
import * as WebhookPayload from "./WebhookPayload.js"

const { nullable, open } = WireField
const noneIfEmpty = WireField.noneIfEmpty()

/**
 * One statement of an account: the model the upload status uses,
 * {@link UploadStatus.Statement}. Here `created_at` is ISO with a `Z`
 * (`2025-11-13T06:48:31.956654Z`).
 *
 * @since 0.3.0
 * @category models
 */
export type Statement = UploadStatus.Statement

/**
 * @since 0.3.0
 * @category schemas
 */
export const Statement: typeof UploadStatus.Statement = UploadStatus.Statement

/**
 * Why a statement failed: one of the 13 documented codes
 * ({@link UploadStatus.statementErrorCodes}), or another string.
 *
 * @since 0.3.0
 * @category models
 */
export type StatementErrorCode = UploadStatus.StatementErrorCode

/**
 * Why an account failed, typed per code with the data its message carries: the type
 * `WebhookPayload.accountFailure` gives.
 *
 * @since 0.3.0
 * @category models
 */
export type AccountFailure = WebhookPayload.AccountFailure

/**
 * An account's outcome after processing: `completed` or `failed` (lower case here; an
 * open set).
 *
 * @since 0.3.0
 * @category models
 */
export type AccountStatus = Open<"completed" | "failed">

/**
 * @since 0.3.0
 * @category schemas
 */
export const AccountStatus: Schema.Schema<AccountStatus> = open("completed", "failed")

/**
 * One account of the session status.
 *
 * @since 0.3.0
 * @category schemas
 */
export class Account extends Schema.Class<Account>("SessionStatus.Account")({
  /** BankConnect's id of the account. */
  account_id: Schema.String,
  /** The bank's lower-case id, such as `iob`. */
  bank_name: nullable(Schema.String),
  /** Masked, such as `XXXXXXXXXXX3135`; `null` when unknown (2024). */
  account_number: noneIfEmpty,
  /** 2025: the holder's name, masked (`XXXXXXXX`). */
  name: noneIfEmpty,
  /** 2025: such as `individual`. */
  account_category: noneIfEmpty,
  /** 2025: such as `SAVINGS`. */
  account_type: noneIfEmpty,
  /** 2025: such as `Indian Overseas Bank`. */
  full_bank_name: noneIfEmpty,
  /** 2025: how the data came in, such as `["PDF"]`. */
  attempt_types: Schema.optionalWith(Schema.Array(Schema.String), { nullable: true, default: () => [] }),
  /** `completed` or `failed` (an open set). */
  account_status: AccountStatus,
  /** The failure code; `null` (or `""`) when the account did not fail. See {@link Account.failure}. */
  error_code: noneIfEmpty,
  /** The failure message, with its data; `null` when the account did not fail. */
  error_message: noneIfEmpty,
  /** `YYYY-MM-DD HH:MM:SS` (`null` in 2024). */
  created_at: noneIfEmpty,
  /** `YYYY-MM-DD HH:MM:SS` (`null` in 2024). */
  last_updated_at: noneIfEmpty,
  /** The account's statements. */
  statements: Schema.optionalWith(Schema.Array(UploadStatus.Statement), { nullable: true, default: () => [] })
}) {
  /** The failure typed per code with its data parsed, or `null` when there is no error code. */
  get failure(): WebhookPayload.AccountFailure | null {
    return WebhookPayload.accountFailure(this.error_code, this.error_message)
  }
  /** Whether the account failed: its status is `failed` or it carries an error code. */
  get failed(): boolean {
    return this.account_status === "failed" || this.error_code !== null
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
 * The session status response.
 *
 * @since 0.3.0
 * @category schemas
 */
export class SessionStatus extends Schema.Class<SessionStatus>("SessionStatus")({
  /** The session's id. */
  session_id: Schema.String,
  /**
   * Whether insights can be fetched (2025): `false` when an account was rejected by the
   * `to_reject_account` configuration. `null` in the 2024 form, which does not say.
   */
  insights_available: nullable(Schema.Boolean),
  /** One entry per account. */
  accounts: Schema.optionalWith(Schema.Array(Account), { nullable: true, default: () => [] })
}) {}

/**
 * The accounts that failed (status `failed`, or an error code).
 *
 * @since 0.3.0
 * @category getters
 */
export const failedAccounts = (status: SessionStatus): ReadonlyArray<Account> =>
  status.accounts.filter((account) => account.failed)

/**
 * The accounts that completed without an error code.
 *
 * @since 0.3.0
 * @category getters
 */
export const completedAccounts = (status: SessionStatus): ReadonlyArray<Account> =>
  status.accounts.filter((account) => account.account_status === "completed" && account.error_code === null)

/**
 * The statements that failed, across accounts.
 *
 * @since 0.3.0
 * @category getters
 */
export const failedStatements = (status: SessionStatus): ReadonlyArray<Statement> =>
  status.accounts.flatMap((account) => account.statements.filter((statement) => statement.failed))

/**
 * Whether the session succeeded: it has at least one account, every account completed
 * without an error code, and `insights_available` is not `false` (the 2024 form, which
 * lacks the field, is judged by its accounts alone). A completed account may still hold
 * failed statements: see {@link failedStatements}.
 *
 * @since 0.3.0
 * @category predicates
 */
export const isSuccessful = (status: SessionStatus): boolean =>
  status.insights_available !== false &&
  status.accounts.length > 0 &&
  status.accounts.every((account) => account.account_status === "completed" && account.error_code === null)

/**
 * Decodes a session status response body (already parsed from JSON).
 *
 * @example
 * ```ts
 * import { SessionStatus } from "@effect-bankconnect/client"
 * import { Effect } from "effect"
 *
 * const status = Effect.runSync(SessionStatus.decode({
 *   session_id: "s-1",
 *   insights_available: false,
 *   accounts: [{
 *     account_id: "a-1",
 *     bank_name: "iob",
 *     account_status: "failed",
 *     error_code: "INCOMPLETE_MONTHS",
 *     error_message: "Insufficient data to generate report. There are no transactions for Nov 2023, Dec 2023",
 *     statements: [{ statement_id: "st-1", statement_status: "completed", error_code: null, source: "pdf" }]
 *   }]
 * }))
 *
 * assert.strictEqual(SessionStatus.isSuccessful(status), false)
 * const failure = SessionStatus.failedAccounts(status)[0]!.failure
 * assert.deepStrictEqual(failure?._tag === "IncompleteMonths" ? failure.months : [], [
 *   { year: 2023, month: 11 },
 *   { year: 2023, month: 12 }
 * ])
 * ```
 *
 * @since 0.3.0
 * @category decoding
 */
export const decode: (u: unknown) => Effect.Effect<SessionStatus, ParseResult.ParseError> = Schema.decodeUnknown(
  SessionStatus
)
