/**
 * A fleet tracker for BankConnect sessions on Effect.
 *
 * @example
 * ```ts
 * import { SqlTrackerStore, Tracker, TrackerStore } from "@effect-bankconnect/tracker"
 *
 * // the tracker, and the stores it runs on
 * assert.strictEqual(typeof Tracker.layer, "function")
 * assert.strictEqual(typeof TrackerStore.layerMemory, "object")
 * assert.strictEqual(typeof SqlTrackerStore.layerLibsql, "function")
 * ```
 *
 * @since 0.3.0
 */

/**
 * The tracker service: `track`, `untrack`, `get`, `list`, `awaitCompletion`, `events`,
 * webhook deliveries, and its layers.
 *
 * @since 0.3.0
 */
export * as Tracker from "./Tracker.js"

/**
 * The events: `Tracked`, `ProgressChanged`, `Completed`, `Failed`, `TimedOut`.
 *
 * @since 0.3.0
 */
export * as TrackerEvent from "./TrackerEvent.js"

/**
 * A tracked session's record.
 *
 * @since 0.3.0
 */
export * as TrackedSession from "./TrackedSession.js"

/**
 * The store interface and the store in memory.
 *
 * @since 0.3.0
 */
export * as TrackerStore from "./TrackerStore.js"

/**
 * The store in SQL through `@effect/sql`, with migrations; SQLite through libsql.
 *
 * @since 0.3.0
 */
export * as SqlTrackerStore from "./SqlTrackerStore.js"

/**
 * The tracker's errors.
 *
 * @since 0.3.0
 */
export * as TrackerError from "./TrackerError.js"

/**
 * Each 429 and its `Retry-After`, seen by the tracker as it arrives.
 *
 * @since 0.3.0
 */
export * as RateLimit from "./RateLimit.js"
