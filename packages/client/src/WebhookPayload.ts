/**
 * BankConnect's webhook payloads: the schemas of each event (wire names kept, parsed
 * extras beside them), the typed account failures, and {@link decode}. A leaf module: it
 * knows nothing of receiving.
 *
 * @since 0.2.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as AccountFailures from "./internal/accountFailure.js"
import * as JsonDepth from "./internal/jsonDepth.js"
import * as ParseIssues from "./internal/parseIssues.js"
import * as SessionIds from "./internal/sessionIds.js"
import * as WireField from "./internal/wireField.js"
import type { Open } from "./Progress.js"
import * as UploadStatus from "./UploadStatus.js"

const { nullable } = WireField
const noneIfEmpty = WireField.noneIfEmpty()

const open = <const Known extends ReadonlyArray<string>>(...known: Known): Schema.Schema<Open<Known[number]>> =>
  Schema.Union(Schema.Literal(...known), Schema.String)

/**
 * A calendar month parsed from a failure message.
 *
 * @since 0.1.0
 * @category models
 */
export type YearMonth = AccountFailures.YearMonth

/**
 * The days missing in one month, from `INCOMPLETE_DATES_UPLOAD`.
 *
 * @since 0.1.0
 * @category models
 */
export type MissingDays = AccountFailures.MissingDays

/**
 * Why an account failed, typed per error code, with the data its message carries parsed
 * (`months` and `missing` are empty when the message carries none) and the message kept.
 *
 * @since 0.1.0
 * @category models
 */
export type AccountFailure = Data.TaggedEnum<{
  MissingTransactions: { readonly code: "MISSING_TRANSACTIONS"; readonly message: string }
  IncompleteMonths: {
    readonly code: "INCOMPLETE_MONTHS"
    readonly message: string
    readonly months: ReadonlyArray<YearMonth>
  }
  NullAccountNumber: { readonly code: "NULL_ACCOUNT_NUMBER"; readonly message: string }
  BalanceMismatch: { readonly code: "BALANCE_MISMATCH"; readonly message: string }
  IncompleteMonthsUpload: {
    readonly code: "INCOMPLETE_MONTHS_UPLOAD"
    readonly message: string
    readonly months: ReadonlyArray<YearMonth>
  }
  IncompleteDatesUpload: {
    readonly code: "INCOMPLETE_DATES_UPLOAD"
    readonly message: string
    readonly missing: ReadonlyArray<MissingDays>
  }
  Unparsable: { readonly code: "UNPARSABLE"; readonly message: string }
  /** A code this library does not know yet. */
  OtherFailure: { readonly code: string; readonly message: string }
}>

/**
 * Constructors and `$match` / `$is` for {@link AccountFailure}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const AccountFailure = Data.taggedEnum<AccountFailure>()

/**
 * Reads an account's failure from its error code and message; `null` when the code is
 * `null` or `""` (no failure).
 *
 * @since 0.1.0
 * @category decoding
 */
export const accountFailure = (code: string | null, message: string | null): AccountFailure | null => {
  if (code === null || code === "") return null
  const text = message ?? ""
  switch (code) {
    case "MISSING_TRANSACTIONS":
      return AccountFailure.MissingTransactions({ code, message: text })
    case "INCOMPLETE_MONTHS":
      return AccountFailure.IncompleteMonths({ code, message: text, months: AccountFailures.parseMonths(text) })
    case "NULL_ACCOUNT_NUMBER":
      return AccountFailure.NullAccountNumber({ code, message: text })
    case "BALANCE_MISMATCH":
      return AccountFailure.BalanceMismatch({ code, message: text })
    case "INCOMPLETE_MONTHS_UPLOAD":
      return AccountFailure.IncompleteMonthsUpload({ code, message: text, months: AccountFailures.parseMonths(text) })
    case "INCOMPLETE_DATES_UPLOAD":
      return AccountFailure.IncompleteDatesUpload({
        code,
        message: text,
        missing: AccountFailures.parseMissingDates(text)
      })
    case "UNPARSABLE":
      return AccountFailure.Unparsable({ code, message: text })
    default:
      return AccountFailure.OtherFailure({ code, message: text })
  }
}

/**
 * One account of an `ENRICHMENT_NOTIFICATION`, in the older or the newer form.
 *
 * @since 0.1.0
 * @category schemas
 */
export class EnrichmentAccount extends Schema.Class<EnrichmentAccount>("EnrichmentAccount")({
  /** The bank, such as `sbi`. */
  bank_name: nullable(Schema.String),
  /** BankConnect's id of the account. */
  account_id: nullable(Schema.String),
  /** `completed` or `failed` (an open set). */
  account_status: open("completed", "failed"),
  /** The failure code; `null` when the account did not fail (the newer form's `""` reads as `null`). */
  error_code: noneIfEmpty,
  /** The failure message, with its data; `null` when the account did not fail. */
  error_message: noneIfEmpty,
  /** Newer form: the account holder's name. */
  name: nullable(Schema.String),
  /** Newer form: such as `individual`. */
  account_category: nullable(Schema.String),
  /** Newer form: how the data came in, such as `["PDF"]`. */
  attempt_types: Schema.optionalWith(Schema.Array(Schema.String), { nullable: true, default: () => [] })
}) {
  /** The failure typed per code with its data parsed, or `null`. */
  get failure(): AccountFailure | null {
    return accountFailure(this.error_code, this.error_message)
  }
}

/**
 * `ENRICHMENT_NOTIFICATION`: processing of the session finished, with each account's outcome.
 *
 * @since 0.1.0
 * @category schemas
 */
export class EnrichmentNotification extends Schema.Class<EnrichmentNotification>("EnrichmentNotification")({
  session_id: Schema.String,
  event_name: Schema.Literal("ENRICHMENT_NOTIFICATION"),
  /** Newer form only: whether insights can be fetched; `null` in the older form. */
  insights_available: nullable(Schema.Boolean),
  accounts: Schema.optionalWith(Schema.Array(EnrichmentAccount), { nullable: true, default: () => [] })
}) {
  /** The event's kind. */
  get _tag(): "EnrichmentNotification" {
    return "EnrichmentNotification"
  }
}

/**
 * A date range as the API writes it (`DD/MM/YYYY` in these payloads).
 *
 * @since 0.1.0
 * @category schemas
 */
export const DateRange = Schema.Struct({ from_date: nullable(Schema.String), to_date: nullable(Schema.String) })

/**
 * One statement in an upload notification.
 *
 * @since 0.1.0
 * @category schemas
 */
export class UploadStatement extends Schema.Class<UploadStatement>("UploadStatement")({
  statement_id: nullable(Schema.String),
  /** Such as `completed` (an open set). */
  statement_status: nullable(Schema.String),
  error_code: noneIfEmpty,
  error_message: noneIfEmpty,
  source: nullable(Schema.String),
  statement_date_range: nullable(DateRange),
  created_at: nullable(Schema.String)
}) {}

/**
 * One account in an upload notification.
 *
 * @since 0.1.0
 * @category schemas
 */
export class UploadAccount extends Schema.Class<UploadAccount>("UploadAccount")({
  account_id: nullable(Schema.String),
  /** Masked, such as `XXXXXXXXXXXX3135`; `null` when unknown. */
  account_number: nullable(Schema.String),
  bank_name: nullable(Schema.String),
  created_at: nullable(Schema.String),
  last_updated_at: nullable(Schema.String),
  statements: Schema.optionalWith(Schema.Array(UploadStatement), { nullable: true, default: () => [] }),
  /** Upper case here: `PARTIAL` or `COMPLETED` (an open set). */
  account_status: nullable(open("PARTIAL", "COMPLETED")),
  /** The months covered, as `YYYY-MM`. */
  months: Schema.optionalWith(Schema.Array(Schema.String), { nullable: true, default: () => [] }),
  /**
   * The gaps in the uploads, as `YYYY-MM-DD` ranges (the upload status' model). Never fails
   * the delivery: an element that is not a range is left out, and a value that is not an
   * array (`null`, missing, as in the 2024 form) reads as none.
   */
  missing_data: Schema.optionalWith(UploadStatus.MissingData, { exact: true, default: () => [] })
}) {}

const uploadFields = {
  session_id: Schema.String,
  /** `Upload Completed` or `Session expired`. */
  message: nullable(Schema.String),
  accounts: Schema.optionalWith(Schema.Array(UploadAccount), { nullable: true, default: () => [] }),
  session_date_range: nullable(DateRange)
}

/**
 * `SESSION_REQUIREMENT_COMPLETION_NOTIFICATION` (older name `SESSION_COMPLETION_NOTIFICATION`):
 * the user finished uploading.
 *
 * @since 0.1.0
 * @category schemas
 */
export class SessionRequirementCompletionNotification extends Schema.Class<SessionRequirementCompletionNotification>(
  "SessionRequirementCompletionNotification"
)({
  ...uploadFields,
  event_name: Schema.Literal("SESSION_REQUIREMENT_COMPLETION_NOTIFICATION", "SESSION_COMPLETION_NOTIFICATION")
}) {
  /** The event's kind. */
  get _tag(): "SessionRequirementCompletionNotification" {
    return "SessionRequirementCompletionNotification"
  }
}

/**
 * `SESSION_EXPIRY_NOTIFICATION`: the session expired before completion.
 *
 * @since 0.1.0
 * @category schemas
 */
export class SessionExpiryNotification extends Schema.Class<SessionExpiryNotification>("SessionExpiryNotification")({
  ...uploadFields,
  event_name: Schema.Literal("SESSION_EXPIRY_NOTIFICATION")
}) {
  /** The event's kind. */
  get _tag(): "SessionExpiryNotification" {
    return "SessionExpiryNotification"
  }
}

/**
 * An event this library does not know, kept whole so nothing is lost.
 *
 * @since 0.1.0
 * @category models
 */
export class UnknownEvent extends Data.Class<{
  readonly event_name: string
  readonly session_id: string | null
  /** The parsed JSON body. */
  readonly body: unknown
}> {
  /** The event's kind. */
  get _tag(): "UnknownEvent" {
    return "UnknownEvent"
  }
}

/**
 * Any webhook event; switch on `_tag`.
 *
 * @since 0.1.0
 * @category models
 */
export type Event =
  | EnrichmentNotification
  | SessionRequirementCompletionNotification
  | SessionExpiryNotification
  | UnknownEvent

/**
 * A webhook body that is not JSON, or not an event.
 *
 * @since 0.1.0
 * @category errors
 */
export class WebhookPayloadError extends Schema.TaggedError<WebhookPayloadError>()("WebhookPayloadError", {
  /** `InvalidJson`: the body does not parse; `InvalidPayload`: it parses but is not an event. */
  reason: Schema.Literal("InvalidJson", "InvalidPayload"),
  /** What is wrong, and where. */
  message: Schema.String
}) {}

const decoders = {
  ENRICHMENT_NOTIFICATION: Schema.decodeUnknown(EnrichmentNotification),
  SESSION_REQUIREMENT_COMPLETION_NOTIFICATION: Schema.decodeUnknown(SessionRequirementCompletionNotification),
  SESSION_COMPLETION_NOTIFICATION: Schema.decodeUnknown(SessionRequirementCompletionNotification),
  SESSION_EXPIRY_NOTIFICATION: Schema.decodeUnknown(SessionExpiryNotification)
} satisfies Record<string, (u: unknown) => Effect.Effect<Event, ParseResult.ParseError>>

const invalid = (message: string) => new WebhookPayloadError({ reason: "InvalidPayload", message })

/**
 * The longest `session_id` {@link decode} accepts, in characters; a longer one is refused
 * (`InvalidPayload`, answered 400 by a receiver). BankConnect's session ids are UUIDs of 36
 * characters: the limit keeps a forged multi-megabyte id out of what a receiver remembers.
 *
 * @since 0.2.0
 * @category decoding
 */
export const maxSessionIdLength: number = SessionIds.maxLength

/**
 * The longest `event_name` {@link decode} accepts, in characters; a longer one is refused
 * (`InvalidPayload`, answered 400 by a receiver), known or not.
 *
 * @since 0.2.0
 * @category decoding
 */
export const maxEventNameLength = 128

const utf8 = new TextDecoder("utf-8", { fatal: true })

/**
 * Decodes a webhook body: the raw bytes (UTF-8), a JSON string, or a value already parsed.
 * Bytes that are not UTF-8 fail with `InvalidJson`. A known event that
 * does not match its schema, anything that is not an object with a string `event_name`,
 * and an `event_name` or a `session_id` longer than {@link maxEventNameLength} or
 * {@link maxSessionIdLength}, fail with {@link WebhookPayloadError}; an unknown
 * `event_name` gives an {@link UnknownEvent} with the body kept.
 *
 * @example
 * ```ts
 * import { WebhookPayload } from "@effect-bankconnect/client"
 * import { Effect } from "effect"
 *
 * const event = Effect.runSync(WebhookPayload.decode(JSON.stringify({
 *   event_name: "ENRICHMENT_NOTIFICATION",
 *   session_id: "s-1",
 *   accounts: [{
 *     account_id: "a-1",
 *     account_status: "failed",
 *     error_code: "INCOMPLETE_MONTHS",
 *     error_message: "Insufficient data to generate report. There are no transactions for Nov 2023, Dec 2023"
 *   }]
 * })))
 *
 * assert.strictEqual(event._tag, "EnrichmentNotification")
 * if (event._tag === "EnrichmentNotification") {
 *   const failure = event.accounts[0]!.failure
 *   assert.deepStrictEqual(failure?._tag === "IncompleteMonths" ? failure.months : [], [
 *     { year: 2023, month: 11 },
 *     { year: 2023, month: 12 }
 *   ])
 * }
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = (body: Uint8Array | string | unknown): Effect.Effect<Event, WebhookPayloadError> =>
  Effect.suspend((): Effect.Effect<Event, WebhookPayloadError> => {
    if (body instanceof Uint8Array) {
      let text: string
      try {
        text = utf8.decode(body)
      } catch {
        return Effect.fail(new WebhookPayloadError({ reason: "InvalidJson", message: "The body is not valid UTF-8" }))
      }
      return decode(text)
    }
    let json: unknown = body
    if (typeof body === "string") {
      try {
        json = JSON.parse(body)
      } catch (error) {
        return Effect.fail(
          new WebhookPayloadError({
            reason: "InvalidJson",
            message: `The body is not JSON: ${error instanceof Error ? error.message : String(error)}`
          })
        )
      }
    }
    if (typeof json !== "object" || json === null || Array.isArray(json)) {
      return Effect.fail(invalid(`Expected a JSON object, got ${Array.isArray(json) ? "an array" : String(json)}`))
    }
    if (JsonDepth.tooDeep(json)) {
      return Effect.fail(invalid(`The body nests more than ${JsonDepth.maxDepth} levels deep`))
    }
    const eventName: unknown = (json as { event_name?: unknown }).event_name
    if (typeof eventName !== "string") return Effect.fail(invalid("event_name: Expected a string"))
    if (eventName.length > maxEventNameLength) {
      return Effect.fail(
        invalid(`event_name: Expected at most ${maxEventNameLength} characters, got ${eventName.length}`)
      )
    }
    const sessionId: unknown = (json as { session_id?: unknown }).session_id
    if (typeof sessionId === "string" && sessionId.length > maxSessionIdLength) {
      return Effect.fail(
        invalid(`session_id: Expected at most ${maxSessionIdLength} characters, got ${sessionId.length}`)
      )
    }
    if (Object.hasOwn(decoders, eventName)) {
      const decodeEvent: (u: unknown) => Effect.Effect<Event, ParseResult.ParseError> =
        decoders[eventName as keyof typeof decoders]
      return Effect.mapError(
        decodeEvent(json),
        (error) => invalid(`Invalid ${eventName}: ${ParseIssues.format(error)}`)
      )
    }
    return Effect.succeed(
      new UnknownEvent({
        event_name: eventName,
        session_id: typeof sessionId === "string" ? sessionId : null,
        body: json
      })
    )
  })
