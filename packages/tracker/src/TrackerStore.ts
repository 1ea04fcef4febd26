/**
 * Where the tracker keeps its sessions and its outbox of events, behind one interface:
 * in memory ({@link layerMemory}) or in SQL (`SqlTrackerStore`). A store is a port the
 * tracker writes through; most programs pick a layer and never call it.
 *
 * The contract (the package's store tests run it against every store): a batch of
 * writes is one transaction, in order; a session's state and the events that change
 * caused are written together; tracking is idempotent; an event stays pending until it
 * is acknowledged, and pending events are read in order (`createdAt`, then `sessionId`,
 * then `seq`).
 *
 * @example
 * ```ts
 * import { TrackerStore } from "@effect-bankconnect/tracker"
 * import { Effect, Option } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const store = yield* TrackerStore.TrackerStore
 *   yield* store.write([{
 *     _tag: "Track",
 *     sessionId: "s-1",
 *     reference: null,
 *     deadline: null,
 *     at: 0,
 *     tracked: (seq) => ({
 *       id: `s-1:${seq}`,
 *       sessionId: "s-1",
 *       seq,
 *       tag: "Tracked",
 *       payload: "{}",
 *       createdAt: 0,
 *       acknowledgedAt: null
 *     })
 *   }])
 *   return yield* store.get("s-1")
 * })
 *
 * const record = Effect.runSync(Effect.provide(program, TrackerStore.layerMemory))
 * assert.strictEqual(Option.getOrThrow(record).state, "tracking")
 * ```
 *
 * @since 0.3.0
 */
import type * as WebhookReceiver from "@effect-bankconnect/client/WebhookReceiver"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as Stream from "effect/Stream"
import * as MemoryStore from "./internal/memoryStore.js"
import type * as TrackedSession from "./TrackedSession.js"
import type { TrackerStoreError } from "./TrackerError.js"

/**
 * A session as stored: plain values, the snapshot and the outcome as JSON text (the
 * progress API's wire form and `TrackerEvent.encodeJson`).
 *
 * @since 0.3.0
 * @category models
 */
export interface SessionRecord {
  readonly sessionId: string
  readonly reference: string | null
  readonly state: TrackedSession.State
  /** Epoch milliseconds. */
  readonly trackedAt: number
  /** Epoch milliseconds. */
  readonly updatedAt: number
  /** Epoch milliseconds, or `null` for none. */
  readonly deadline: number | null
  /** The latest snapshot's JSON, or `null`. */
  readonly progress: string | null
  /** The ending event's JSON, or `null`. */
  readonly outcome: string | null
  /** The number of the session's latest event (events are numbered from 1). */
  readonly eventSeq: number
  /**
   * The replica holding the session's lease, where the store keeps leases
   * ({@link Coordination}); `null` or absent otherwise.
   */
  readonly owner?: string | null | undefined
  /** Until when (epoch milliseconds) `owner` holds the lease. */
  readonly leaseUntil?: number | null | undefined
}

/**
 * An event in the outbox.
 *
 * @since 0.3.0
 * @category models
 */
export interface EventRecord {
  /** `<sessionId>:<seq>`. */
  readonly id: string
  readonly sessionId: string
  readonly seq: number
  /** The event's `_tag`. */
  readonly tag: string
  /** `TrackerEvent.encodeJson` of the event. */
  readonly payload: string
  /** Epoch milliseconds. */
  readonly createdAt: number
  /** Epoch milliseconds, or `null` while pending. */
  readonly acknowledgedAt: number | null
}

/**
 * Where reading pending events resumes: after this event, in outbox order.
 *
 * @since 0.3.0
 * @category models
 */
export interface EventCursor {
  readonly createdAt: number
  readonly sessionId: string
  readonly seq: number
}

/**
 * Starts tracking a session: a new record (its first event numbered 1), or an
 * `untracked` one tracked again (its next event number); any other existing record is
 * left as it is. `tracked` builds the `Tracked` event for the number chosen.
 *
 * @since 0.3.0
 * @category models
 */
export interface Track {
  readonly _tag: "Track"
  readonly sessionId: string
  readonly reference: string | null
  readonly deadline: number | null
  /** Epoch milliseconds. */
  readonly at: number
  readonly tracked: (seq: number) => EventRecord
  /** The replica that tracks it takes its lease at once (stores with {@link Coordination}). */
  readonly lease?: Lease | undefined
}

/**
 * Replaces a `tracking` session's record (state, snapshot, outcome, event number) and
 * adds the events that change caused. It applies only while the stored record is
 * `tracking` with an event number below `session.eventSeq`, so a stale change never
 * overwrites a newer one; with an `owner`, only while that replica holds the session's
 * lease, so a replica that lost it cannot overwrite the state of the one that took it. The
 * same change again (the stored number and state, by the same owner: a batch retried after
 * its commit's answer was lost) counts as applied and writes nothing.
 *
 * @since 0.3.0
 * @category models
 */
export interface Update {
  readonly _tag: "Update"
  readonly session: SessionRecord
  readonly events: ReadonlyArray<EventRecord>
  readonly owner?: string | undefined
}

/**
 * Stops tracking a session: any state but `untracked` becomes `untracked`, and its event
 * number advances (so that no change made before it applies after it).
 *
 * @since 0.3.0
 * @category models
 */
export interface Untrack {
  readonly _tag: "Untrack"
  readonly sessionId: string
  /** Epoch milliseconds. */
  readonly at: number
}

/**
 * One write of a batch.
 *
 * @since 0.3.0
 * @category models
 */
export type Write = Track | Update | Untrack

/**
 * What one write did, in the batch's order: for `Track`, the record as it now stands and
 * the `Tracked` event when tracking (re)started; for `Update`, whether it applied; for
 * `Untrack`, the record before, if any, and whether tracking stopped.
 *
 * @since 0.3.0
 * @category models
 */
export type WriteResult =
  | { readonly _tag: "Track"; readonly record: SessionRecord; readonly event: EventRecord | undefined }
  | { readonly _tag: "Update"; readonly applied: boolean }
  | { readonly _tag: "Untrack"; readonly previous: SessionRecord | undefined; readonly untracked: boolean }

/**
 * A page of sessions: `after` is the last session id of the previous page.
 *
 * @since 0.3.0
 * @category models
 */
export interface ListQuery {
  readonly state?: TrackedSession.State | undefined
  readonly after?: string | undefined
  readonly limit: number
}

/**
 * How many events the outbox holds.
 *
 * @since 0.3.0
 * @category models
 */
export interface OutboxCounts {
  readonly pending: number
  readonly acknowledged: number
}

/**
 * A lease: `owner` (a replica's id) holds it until `until` (epoch milliseconds).
 *
 * @since 0.3.0
 * @category models
 */
export interface Lease {
  readonly owner: string
  readonly until: number
}

/**
 * What a replica learns when it renews its leases.
 *
 * @since 0.3.0
 * @category models
 */
export interface Renewal {
  /** The sessions it still holds, now until the new `until`: tracking, and its own. */
  readonly owned: ReadonlyArray<string>
  /** Replicas seen within the replica TTL, this one included. */
  readonly replicas: number
  /** Sessions being tracked, by all replicas. */
  readonly tracking: number
  /** Until when the fleet is paused by a 429 (epoch milliseconds; 0 when it is not). */
  readonly pausedUntil: number
}

/**
 * How replicas of a tracker share one store: each session is polled by the replica that
 * holds its lease, and each session's pending events are delivered by the replica that
 * holds its delivery lease. A replica renews its leases while it lives; when it dies,
 * they run out and the others claim them. `SqlTrackerStore` keeps them in its tables
 * (`FOR UPDATE SKIP LOCKED` on Postgres).
 *
 * @since 0.3.0
 * @category models
 */
export interface Coordination {
  /**
   * Takes the lease of at most `limit` tracking sessions whose lease is free (none, or
   * run out by `now`), until `until`; gives their records.
   */
  readonly claim: (
    query: { readonly owner: string; readonly now: number; readonly until: number; readonly limit: number }
  ) => Effect.Effect<ReadonlyArray<SessionRecord>, TrackerStoreError>
  /**
   * Marks the replica alive at `now`, extends the leases it still holds to `until`, and
   * tells where the fleet stands; replicas not seen for `replicaTtl` milliseconds are not
   * counted.
   */
  readonly renew: (
    query: { readonly owner: string; readonly now: number; readonly until: number; readonly replicaTtl: number }
  ) => Effect.Effect<Renewal, TrackerStoreError>
  /**
   * Gives up the leases of these sessions (all of them, when `undefined`), if held by
   * `owner`; no one claims them before `freeAt` (epoch milliseconds; at once when absent),
   * so that the next replica's first poll keeps one interval after this one's last.
   */
  readonly release: (
    owner: string,
    sessionIds: ReadonlyArray<string> | undefined,
    freeAt?: number | undefined
  ) => Effect.Effect<void, TrackerStoreError>
  /**
   * Removes the replica from the count and gives up all its leases (a clean shutdown),
   * claimable from `freeAt`.
   */
  readonly retire: (owner: string, freeAt?: number | undefined) => Effect.Effect<void, TrackerStoreError>
  /** Pauses the whole fleet until `until` (a later pause wins). */
  readonly pause: (until: number) => Effect.Effect<void, TrackerStoreError>
  /**
   * Takes the delivery lease of at most `limit` sessions with pending events whose
   * delivery lease is free or already `owner`'s, until `until`; gives their pending
   * events, each session's in order.
   */
  readonly claimDeliveries: (
    query: { readonly owner: string; readonly now: number; readonly until: number; readonly limit: number }
  ) => Effect.Effect<ReadonlyArray<EventRecord>, TrackerStoreError>
  /**
   * Gives up the delivery leases of these sessions, if held by `owner`; no one claims them
   * before `freeAt` when given (a handler failing: its retry's time).
   */
  readonly releaseDeliveries: (
    owner: string,
    sessionIds: ReadonlyArray<string>,
    freeAt?: number | undefined
  ) => Effect.Effect<void, TrackerStoreError>
  /**
   * Asks the replica holding a session's lease to poll it now (a webhook arrived
   * elsewhere): Postgres `NOTIFY`. Absent where the store cannot reach other processes.
   */
  readonly wake?: ((sessionId: string) => Effect.Effect<void, TrackerStoreError>) | undefined
  /** The session ids other replicas asked to wake (Postgres `LISTEN`). */
  readonly wakes?: Stream.Stream<string, TrackerStoreError> | undefined
  /**
   * The webhook receivers' dedupe store, shared by the replicas: a table with a unique key,
   * so two replicas taking copies of one delivery never both handle it
   * (`WebhookReceiver.DedupeStore.claim`). Pruned with the outbox.
   */
  readonly dedupe?: WebhookReceiver.DedupeStore | undefined
}

/**
 * The store's operations.
 *
 * @since 0.3.0
 * @category models
 */
export interface Service {
  /** Applies a batch of writes in one transaction, in order; all or nothing. */
  readonly write: (writes: ReadonlyArray<Write>) => Effect.Effect<ReadonlyArray<WriteResult>, TrackerStoreError>
  /** One session's record. */
  readonly get: (sessionId: string) => Effect.Effect<Option.Option<SessionRecord>, TrackerStoreError>
  /** Sessions ordered by id, after `after`, at most `limit`, of one state if given. */
  readonly list: (query: ListQuery) => Effect.Effect<ReadonlyArray<SessionRecord>, TrackerStoreError>
  /** Pending events in outbox order, after `after`, at most `limit`. */
  readonly pendingEvents: (
    query: { readonly after?: EventCursor | undefined; readonly limit: number }
  ) => Effect.Effect<ReadonlyArray<EventRecord>, TrackerStoreError>
  /** Marks pending events acknowledged at `at`; an acknowledged one is left as it is. */
  readonly acknowledge: (ids: ReadonlyArray<string>, at: number) => Effect.Effect<void, TrackerStoreError>
  /** Every event of a session still in the outbox, in order. */
  readonly events: (sessionId: string) => Effect.Effect<ReadonlyArray<EventRecord>, TrackerStoreError>
  /** Deletes the events acknowledged before `before`; gives how many. */
  readonly pruneAcknowledged: (before: number) => Effect.Effect<number, TrackerStoreError>
  /** How many events are pending and acknowledged. */
  readonly outboxCounts: Effect.Effect<OutboxCounts, TrackerStoreError>
  /**
   * Leases for replicas sharing the store (the memory store's are shared within one
   * process); absent where a store cannot share.
   */
  readonly coordination?: Coordination | undefined
}

/**
 * The store service.
 *
 * @since 0.3.0
 * @category tags
 */
export class TrackerStore extends Context.Tag("@effect-bankconnect/tracker/TrackerStore")<TrackerStore, Service>() {}

/**
 * The memory store's settings.
 *
 * @since 0.3.0
 * @category models
 */
export interface MemoryOptions {
  /**
   * Keep acknowledged events (until `pruneAcknowledged`), as a database does. Default
   * `false`: an event is dropped once acknowledged, so memory holds only the sessions and
   * the pending events.
   */
  readonly retainAcknowledged?: boolean | undefined
}

/**
 * A store in memory: a new, empty one per call. Nothing survives the process; use it for
 * tests, or where the sessions can be tracked again after a restart.
 *
 * @since 0.3.0
 * @category constructors
 */
export const makeMemory: (options?: MemoryOptions) => Service = MemoryStore.make

/**
 * {@link makeMemory} as a layer (a new store each time the layer is built).
 *
 * @since 0.3.0
 * @category layers
 */
export const layerMemory: Layer.Layer<TrackerStore> = Layer.sync(TrackerStore, () => MemoryStore.make())

/**
 * {@link makeMemory} with settings, as a layer.
 *
 * @since 0.3.0
 * @category layers
 */
export const layerMemoryWith = (options: MemoryOptions): Layer.Layer<TrackerStore> =>
  Layer.sync(TrackerStore, () => MemoryStore.make(options))
