/**
 * What the tracker tells its subscribers and its handler: a session was tracked, its
 * progress changed, it completed (with each account's outcome and how the tracker learned
 * of it), it failed with an API error, or its deadline passed.
 *
 * Every event has a stable `id` (`<sessionId>:<seq>`, `seq` counting the session's
 * events from 1), the same on every delivery and after a restart, so a handler can be
 * idempotent. Events are `Schema` classes: {@link encodeJson} and {@link decodeJson} turn
 * one into the JSON kept in the store's outbox and back.
 *
 * @example
 * ```ts
 * import { TrackerEvent } from "@effect-bankconnect/tracker"
 * import { DateTime } from "effect"
 *
 * const event = new TrackerEvent.TimedOut({
 *   id: "s-1:3",
 *   sessionId: "s-1",
 *   seq: 3,
 *   reference: "application-42",
 *   at: DateTime.unsafeMake(1_700_000_000_000),
 *   deadline: DateTime.unsafeMake(1_700_000_000_000)
 * })
 *
 * const json = TrackerEvent.encodeJson(event)
 * const back = TrackerEvent.decodeJson(json)
 * assert.strictEqual(back._tag, "TimedOut")
 * assert.strictEqual(back.id, "s-1:3")
 * assert.ok(TrackerEvent.isOutcome(back))
 * ```
 *
 * @since 0.3.0
 */
import * as BankConnectError from "@effect-bankconnect/client/BankConnectError"
import * as Progress from "@effect-bankconnect/client/Progress"
import * as WebhookPayload from "@effect-bankconnect/client/WebhookPayload"
import * as Schema from "effect/Schema"

const common = {
  /** The event's stable id: `<sessionId>:<seq>`. */
  id: Schema.String,
  /** The BankConnect session. */
  sessionId: Schema.String,
  /** The event's number among the session's events, from 1. */
  seq: Schema.Number,
  /** The caller's reference given to `track` (their application id, say), or `null`. */
  reference: Schema.NullOr(Schema.String),
  /** When the tracker recorded the event (its `Clock`). */
  at: Schema.DateTimeUtcFromNumber
}

/**
 * One account's outcome, from the session-status call. `failure` types the error code
 * with the data its message carries (months, missing dates), as the client's webhook
 * payloads and session status do.
 *
 * @since 0.3.0
 * @category models
 */
export class AccountOutcome extends Schema.Class<AccountOutcome>("AccountOutcome")({
  /** BankConnect's id of the account. */
  accountId: Schema.NullOr(Schema.String),
  /** The bank, such as `sbi`. */
  bankName: Schema.NullOr(Schema.String),
  /** `completed` or `failed` (an open set: other values are kept as they came). */
  status: Schema.String,
  /** The failure code, or `null` when the account did not fail. */
  errorCode: Schema.NullOr(Schema.String),
  /** The failure message, with its data, or `null`. */
  errorMessage: Schema.NullOr(Schema.String)
}) {
  /** The failure typed per code with its data parsed, or `null`. */
  get failure(): WebhookPayload.AccountFailure | null {
    return WebhookPayload.accountFailure(this.errorCode, this.errorMessage)
  }
}

/**
 * The session was tracked (for the first time, or again after it was untracked).
 *
 * @since 0.3.0
 * @category events
 */
export class Tracked extends Schema.TaggedClass<Tracked>("Tracked")("Tracked", {
  ...common,
  /** When the tracker gives up on the session, or `null` for never. */
  deadline: Schema.NullOr(Schema.DateTimeUtcFromNumber)
}) {}

/**
 * A poll returned a snapshot different from the previous one (the first snapshot
 * counts as a change). An unchanged snapshot emits nothing.
 *
 * @since 0.3.0
 * @category events
 */
export class ProgressChanged extends Schema.TaggedClass<ProgressChanged>("ProgressChanged")("ProgressChanged", {
  ...common,
  /** The new snapshot. */
  progress: Progress.SessionProgress
}) {}

/**
 * The session completed: the progress API showed it, the session-status call gave each
 * account's outcome (and `onInsights`, when given, had the insights); the tracker stopped
 * polling it.
 *
 * @since 0.3.0
 * @category events
 */
export class Completed extends Schema.TaggedClass<Completed>("Completed")("Completed", {
  ...common,
  /**
   * `webhook` when an `ENRICHMENT_NOTIFICATION` for the session arrived before polling
   * saw it completed and it agrees with the confirmed progress; `polling` otherwise.
   */
  via: Schema.Literal("webhook", "polling"),
  /** The snapshot that shows the session completed. */
  progress: Progress.SessionProgress,
  /** Each account's outcome, from the session-status call. */
  accounts: Schema.Array(AccountOutcome),
  /**
   * Whether insights can be fetched (`false` when an account was rejected), or `null`
   * when neither the session status nor the webhook says.
   */
  insightsAvailable: Schema.NullOr(Schema.Boolean)
}) {}

/**
 * The session ended with an error that no retry cures: an API error code
 * (`SessionNotFound`, `SessionDeleted`, `AccessDenied`, ...), an invalid response, or a
 * transient failure that outlasted the tracker's `backoff` schedule.
 *
 * @since 0.3.0
 * @category events
 */
export class Failed extends Schema.TaggedClass<Failed>("Failed")("Failed", {
  ...common,
  /** The client's typed error. */
  error: BankConnectError.BankConnectError
}) {}

/**
 * The session's deadline passed before it completed; the tracker stopped polling it.
 *
 * @since 0.3.0
 * @category events
 */
export class TimedOut extends Schema.TaggedClass<TimedOut>("TimedOut")("TimedOut", {
  ...common,
  /** The deadline that passed. */
  deadline: Schema.DateTimeUtcFromNumber
}) {}

/**
 * Any tracker event; switch on `_tag`.
 *
 * @since 0.3.0
 * @category models
 */
export type TrackerEvent = Tracked | ProgressChanged | Completed | Failed | TimedOut

/**
 * The schema of every event.
 *
 * @since 0.3.0
 * @category schemas
 */
export const TrackerEvent: Schema.Union<
  [typeof Tracked, typeof ProgressChanged, typeof Completed, typeof Failed, typeof TimedOut]
> = Schema.Union(Tracked, ProgressChanged, Completed, Failed, TimedOut)

/**
 * How a session ended: the last event a session gets.
 *
 * @since 0.3.0
 * @category models
 */
export type Outcome = Completed | Failed | TimedOut

/**
 * The schema of the events that end a session.
 *
 * @since 0.3.0
 * @category schemas
 */
export const Outcome: Schema.Union<[typeof Completed, typeof Failed, typeof TimedOut]> = Schema.Union(
  Completed,
  Failed,
  TimedOut
)

/**
 * Whether an event ends its session.
 *
 * @since 0.3.0
 * @category guards
 */
export const isOutcome = (event: TrackerEvent): event is Outcome =>
  event._tag === "Completed" || event._tag === "Failed" || event._tag === "TimedOut"

/**
 * The stable id of a session's `seq`-th event.
 *
 * @since 0.3.0
 * @category constructors
 */
export const eventId = (sessionId: string, seq: number): string => `${sessionId}:${seq}`

const Json = Schema.parseJson(TrackerEvent)

/**
 * An event as the JSON kept in the outbox.
 *
 * @since 0.3.0
 * @category encoding
 */
export const encodeJson: (event: TrackerEvent) => string = Schema.encodeSync(Json)

/**
 * An event from the JSON kept in the outbox; throws a `ParseError` on anything else.
 *
 * @since 0.3.0
 * @category encoding
 */
export const decodeJson: (json: string) => TrackerEvent = Schema.decodeSync(Json)
