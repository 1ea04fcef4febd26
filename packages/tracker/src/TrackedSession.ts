/**
 * A tracked session as the tracker keeps it: where it stands, its latest snapshot, and
 * how it ended.
 *
 * @example
 * ```ts
 * import { TrackedSession } from "@effect-bankconnect/tracker"
 * import { DateTime } from "effect"
 *
 * const session = new TrackedSession.TrackedSession({
 *   sessionId: "s-1",
 *   reference: "application-42",
 *   state: "tracking",
 *   trackedAt: DateTime.unsafeMake(0),
 *   updatedAt: DateTime.unsafeMake(0),
 *   deadline: null,
 *   progress: null,
 *   outcome: null
 * })
 *
 * assert.strictEqual(TrackedSession.isActive(session), true)
 * ```
 *
 * @since 0.3.0
 */
import * as Progress from "@effect-bankconnect/client/Progress"
import * as Schema from "effect/Schema"
import * as TrackerEvent from "./TrackerEvent.js"

/**
 * Where a session stands: `tracking` (polled), `completed`, `failed`, `timed_out` (its
 * deadline passed), or `untracked` (the caller stopped tracking it).
 *
 * @since 0.3.0
 * @category models
 */
export type State = "tracking" | "completed" | "failed" | "timed_out" | "untracked"

/**
 * @since 0.3.0
 * @category schemas
 */
export const State: Schema.Schema<State> = Schema.Literal("tracking", "completed", "failed", "timed_out", "untracked")

/**
 * The states in which a session has ended.
 *
 * @since 0.3.0
 * @category constants
 */
export const endStates: ReadonlyArray<State> = ["completed", "failed", "timed_out"]

/**
 * A tracked session.
 *
 * @since 0.3.0
 * @category models
 */
export class TrackedSession extends Schema.Class<TrackedSession>("TrackedSession")({
  /** The BankConnect session. */
  sessionId: Schema.String,
  /** The caller's reference given to `track`, or `null`. */
  reference: Schema.NullOr(Schema.String),
  /** Where it stands. */
  state: State,
  /** When it was (last) tracked. */
  trackedAt: Schema.DateTimeUtcFromNumber,
  /** When its record last changed. */
  updatedAt: Schema.DateTimeUtcFromNumber,
  /** When the tracker gives up on it, or `null` for never. */
  deadline: Schema.NullOr(Schema.DateTimeUtcFromNumber),
  /** The latest snapshot, or `null` before the first poll. */
  progress: Schema.NullOr(Progress.SessionProgress),
  /** How it ended (`Completed`, `Failed` or `TimedOut`), or `null` while it has not. */
  outcome: Schema.NullOr(TrackerEvent.Outcome)
}) {}

/**
 * Whether the session is still polled.
 *
 * @since 0.3.0
 * @category guards
 */
export const isActive = (session: TrackedSession): boolean => session.state === "tracking"
