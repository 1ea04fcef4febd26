/**
 * A scenario scripts one simulated session: its accounts and statements, how long each
 * processing stage takes, how each account ends, how its webhook is delivered, and the
 * faults its calls meet. Every field has a default, so `{}` is a valid scenario: one
 * account with one PDF statement that completes after four one-second stages.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

const Millis = Schema.Number.pipe(Schema.int(), Schema.between(0, 86_400_000))
const Share = Schema.Number.pipe(Schema.between(0, 1))

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
 * @since 0.1.0
 * @category schemas
 */
export const Outcome = Schema.Union(
  Schema.Struct({ status: Schema.Literal("completed") }),
  Schema.Struct({
    status: Schema.Literal("failed"),
    errorCode: AccountErrorCode,
    errorMessage: Schema.optional(Schema.String),
    months: Schema.optional(Schema.NonEmptyArray(YearMonth)),
    dates: Schema.optional(
      Schema.Record({
        key: YearMonth,
        value: Schema.NonEmptyArray(Schema.Number.pipe(Schema.int(), Schema.between(1, 31)))
      })
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
  statements: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.between(1, 100)), { default: () => 1 }),
  /** Default `"sbi"`. */
  bankName: Schema.optionalWith(Schema.NonEmptyString, { default: () => "sbi" }),
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
  retryAfterSeconds: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.between(0, 3600)), {
    default: () => 1
  }),
  /** Share of calls answered 502 with an HTML page instead of JSON. */
  nonJsonRate: Schema.optionalWith(Share, { default: () => 0 }),
  /** Added latency per call, drawn uniformly between the two bounds (milliseconds). */
  latencyMillis: Schema.optionalWith(Schema.Tuple(Millis, Millis), { default: () => [0, 0] as const })
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
  duplicates: Schema.optionalWith(Schema.Number.pipe(Schema.int(), Schema.between(0, 10)), { default: () => 0 }),
  /** Deliver this long before the progress API shows the session completed. Default 0. */
  earlyMillis: Schema.optionalWith(Millis, { default: () => 0 })
})

/**
 * @since 0.1.0
 * @category models
 */
export type Webhook = typeof Webhook.Type

/**
 * A session's script.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Scenario = Schema.Struct({
  /** The session id; a random UUID when absent. */
  sessionId: Schema.optional(
    Schema.String.pipe(
      Schema.pattern(/^[A-Za-z0-9._~-]{1,100}$/, { message: () => "Expected letters, digits, '-', '_', '.' or '~'" })
    )
  ),
  /** `processing` (the default): processing was requested at creation and runs now.
   * `not_requested`: `PROCESSING_NOT_REQUESTED` until `initiate_processing` is called.
   * `deleted`: `SESSION_DELETED` on every call. */
  state: Schema.optionalWith(Schema.Literal("processing", "not_requested", "deleted"), {
    default: () => "processing" as const
  }),
  /** Default one account with one statement. */
  accounts: Schema.optionalWith(Schema.NonEmptyArray(Account), { default: () => [Account.make({})] as const }),
  /** Default one second each. */
  stageMillis: Schema.optionalWith(StageMillis, { default: () => StageMillis.make({}) }),
  /** Statement n starts n × this after the first. Default 0 (all at once). */
  staggerMillis: Schema.optionalWith(Millis, { default: () => 0 }),
  /** Default: one delivery in the newer form when the session completes. */
  webhook: Schema.optionalWith(Webhook, { default: () => Webhook.make({}) }),
  /** Faults for this session's calls; the server-wide faults when absent. */
  faults: Schema.optional(Faults)
})

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
