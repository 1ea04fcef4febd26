/**
 * The tracker's own errors: the store failed ({@link TrackerStoreError}), a session is not
 * tracked ({@link NotTracked}), or its deadline passed ({@link TrackingTimeout}). The
 * BankConnect API's errors (`SessionNotFound`, ...) are the client's
 * `BankConnectError` classes, unchanged.
 *
 * @example
 * ```ts
 * import { TrackerError } from "@effect-bankconnect/tracker"
 *
 * const error = new TrackerError.NotTracked({ sessionId: "s-1", message: "Session s-1 is not tracked" })
 *
 * assert.strictEqual(error._tag, "NotTracked")
 * assert.ok(error instanceof Error)
 * ```
 *
 * @since 0.3.0
 */
import * as Schema from "effect/Schema"

/**
 * The store could not read or write: the database is unreachable, a statement failed,
 * a migration failed. The database's own error is kept as `cause` for logs; it is never
 * part of the type.
 *
 * @since 0.3.0
 * @category errors
 */
export class TrackerStoreError extends Schema.TaggedError<TrackerStoreError>()("TrackerStoreError", {
  /** What the store was doing, such as `write`, `get` or `migrate`. */
  operation: Schema.String,
  /** What went wrong, for people. */
  message: Schema.String,
  /** The underlying error, for logs. */
  cause: Schema.optional(Schema.Defect)
}) {}

/**
 * The session is not tracked: it never was, or it was untracked (before or while it was
 * awaited).
 *
 * @since 0.3.0
 * @category errors
 */
export class NotTracked extends Schema.TaggedError<NotTracked>()("NotTracked", {
  sessionId: Schema.String,
  message: Schema.String
}) {}

/**
 * The session's deadline passed before it completed; the tracker stopped polling it.
 *
 * @since 0.3.0
 * @category errors
 */
export class TrackingTimeout extends Schema.TaggedError<TrackingTimeout>()("TrackingTimeout", {
  sessionId: Schema.String,
  /** The deadline that passed. */
  deadline: Schema.DateTimeUtcFromNumber,
  message: Schema.String
}) {}
