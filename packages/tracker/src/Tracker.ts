/**
 * The fleet tracker: track thousands of BankConnect sessions at once, durably, webhook
 * first, with one scheduler instead of a fiber per session.
 *
 * - `track(sessionId, { deadline, reference })` writes the session to the store before it
 *   returns, and is idempotent; `untrack`, `get`, `list` and `awaitCompletion` do what
 *   they say.
 * - One scheduler polls every tracked session: each is due one `interval` after its
 *   previous poll ended (`Schedule.spaced`), first polls are spread over one interval, at
 *   most `maxRequestsInFlight` polls run at once, a 429 pauses the whole fleet (the limit
 *   is per API key), a transient failure backs that session off on the `backoff`
 *   schedule, an API error code ends the session (`Failed`) but for `AccessDenied`, which
 *   pauses the fleet (the credentials are everyone's), and a deadline ends it
 *   (`TimedOut`).
 * - Webhook first: an `ENRICHMENT_NOTIFICATION` for a tracked session (through
 *   {@link Service.onEvent}, {@link layerWebhookServer} or {@link layerWebhookEvents})
 *   triggers an immediate confirming poll, and while a receiver is attached the
 *   `fallbackInterval` replaces `interval`.
 * - Every change is written with its events to the store's outbox in one transaction;
 *   the `handler` runs at least once per event and each event is acknowledged after its
 *   handler succeeds; `events` is the same events live.
 *
 * @example
 * ```ts
 * import { BankConnectClient } from "@effect-bankconnect/client"
 * import { SqlTrackerStore, Tracker } from "@effect-bankconnect/tracker"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * const outcomes = new Map<string, string>()
 *
 * const TrackerLive = Tracker.layer({
 *   // runs at least once per event, after the change is stored; acknowledged when it succeeds
 *   handler: (event) =>
 *     event._tag === "Completed"
 *       ? Effect.sync(() => outcomes.set(event.reference ?? event.sessionId, event.via))
 *       : Effect.void
 * }).pipe(
 *   Layer.provide(SqlTrackerStore.layerLibsql({ url: "file:tracker.db" })),
 *   Layer.provide(
 *     BankConnectClient.layer({
 *       apiKey: Redacted.make("your-api-key"),
 *       serverHash: Redacted.make("your-server-hash")
 *     }).pipe(Layer.provide(FetchHttpClient.layer))
 *   )
 * )
 *
 * export const program = Effect.gen(function*() {
 *   const tracker = yield* Tracker.Tracker
 *   yield* tracker.track("0d6a7c55-2f8b-4f7e-b0b5-6a1f0e0c9d11", {
 *     reference: "application-42",
 *     deadline: "2 hours"
 *   })
 *   const completed = yield* tracker.awaitCompletion("0d6a7c55-2f8b-4f7e-b0b5-6a1f0e0c9d11")
 *   return completed.accounts
 * }).pipe(Effect.provide(TrackerLive))
 * ```
 *
 * @since 0.3.0
 */
import type * as BankConnectClient from "@effect-bankconnect/client/BankConnectClient"
import type * as BankConnectError from "@effect-bankconnect/client/BankConnectError"
import type * as Insights from "@effect-bankconnect/client/Insights"
import type * as WebhookPayload from "@effect-bankconnect/client/WebhookPayload"
import type * as WebhookReceiver from "@effect-bankconnect/client/WebhookReceiver"
import * as WebhookServer from "@effect-bankconnect/client/WebhookServer"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Internal from "./internal/tracker.js"
import type * as TrackedSession from "./TrackedSession.js"
import type { NotTracked, TrackerStoreError, TrackingTimeout } from "./TrackerError.js"
import type * as TrackerEvent from "./TrackerEvent.js"
import type * as TrackerStore from "./TrackerStore.js"

/**
 * What to track a session with.
 *
 * @since 0.3.0
 * @category models
 */
export interface TrackOptions {
  /**
   * When to give up: a duration from now, or an instant. Past it the session ends with a
   * `TimedOut` event (and `awaitCompletion` fails with `TrackingTimeout`). Default: never.
   */
  readonly deadline?: Duration.DurationInput | Date | undefined
  /** The caller's own reference for the session (their application id), carried on every event. */
  readonly reference?: string | undefined
}

/**
 * One session to track, for {@link Service.trackAll}.
 *
 * @since 0.3.0
 * @category models
 */
export interface TrackRequest extends TrackOptions {
  readonly sessionId: string
}

/**
 * Which sessions {@link Service.list} gives.
 *
 * @since 0.3.0
 * @category models
 */
export interface ListOptions {
  /** Only sessions in this state. Default: all. */
  readonly state?: TrackedSession.State | undefined
  /** The `next` of the previous page. */
  readonly after?: string | undefined
  /** At most this many (1 to 1,000). Default 100. */
  readonly limit?: number | undefined
}

/**
 * A page of sessions, ordered by session id.
 *
 * @since 0.3.0
 * @category models
 */
export interface Page {
  readonly sessions: ReadonlyArray<TrackedSession.TrackedSession>
  /** Pass as `after` for the next page; `undefined` on the last page. */
  readonly next: string | undefined
}

/**
 * Where the tracker stands, at the moment it is read.
 *
 * @since 0.3.0
 * @category models
 */
export interface Stats {
  /** Sessions being polled (in this process). */
  readonly tracking: number
  /** Polls running now. */
  readonly inFlight: number
  /** Changes waiting to be written. */
  readonly pendingWrites: number
  /** Until when a 429 paused the fleet, if it is paused. */
  readonly pausedUntil: Option.Option<DateTime.Utc>
  /** Receivers attached ({@link Service.attachReceiver}). */
  readonly receivers: number
  /** The interval polls are spaced by now (`fallbackInterval` while a receiver is attached). */
  readonly interval: Duration.Duration
}

/**
 * Why {@link Service.awaitCompletion} did not give a `Completed` event: the session failed
 * with the client's typed error, its deadline passed, it is not tracked, or the store
 * failed.
 *
 * @since 0.3.0
 * @category errors
 */
export type AwaitError = BankConnectError.BankConnectError | TrackingTimeout | NotTracked | TrackerStoreError

/**
 * The tracker's operations.
 *
 * @since 0.3.0
 * @category models
 */
export interface Service {
  /**
   * Tracks a session: once it returns, the session is in the store and will be polled.
   * Idempotent: tracking a session that is already tracked (or has ended) returns it as
   * it is, with its first options. An `untracked` session is tracked again, afresh. A
   * session id that is empty, over 256 characters or holds control characters fails with
   * `InvalidArgument`, as does a `reference` over 1,024 characters.
   */
  readonly track: (
    sessionId: string,
    options?: TrackOptions
  ) => Effect.Effect<TrackedSession.TrackedSession, TrackerStoreError | BankConnectError.InvalidArgument>
  /**
   * Tracks many sessions, written together (one transaction per batch of the writer):
   * the same as {@link Service.track} for each, in order.
   */
  readonly trackAll: (
    sessions: Iterable<TrackRequest>
  ) => Effect.Effect<ReadonlyArray<TrackedSession.TrackedSession>, TrackerStoreError | BankConnectError.InvalidArgument>
  /**
   * Stops tracking a session: no poll starts for it from now on, a poll in flight is
   * ignored, no event is emitted for it after this returns (events emitted before are
   * still delivered), and `awaitCompletion` on it fails with `NotTracked`. Its record
   * stays, `untracked`. Gives whether it was tracked or ended (`false` when unknown or
   * already untracked).
   */
  readonly untrack: (sessionId: string) => Effect.Effect<boolean, TrackerStoreError>
  /** A session's record, if the store has it. */
  readonly get: (sessionId: string) => Effect.Effect<Option.Option<TrackedSession.TrackedSession>, TrackerStoreError>
  /** Sessions by id, a page at a time, of one state if given. */
  readonly list: (options?: ListOptions) => Effect.Effect<Page, TrackerStoreError>
  /**
   * Waits for the session to complete: at once if it already has. Fails with the
   * client's typed error if it failed, `TrackingTimeout` if its deadline passed, and
   * `NotTracked` if it is not tracked or is untracked meanwhile.
   */
  readonly awaitCompletion: (sessionId: string) => Effect.Effect<TrackerEvent.Completed, AwaitError>
  /**
   * Every event from now on, as it is written (each subscriber gets its own copy). A
   * subscriber more than `eventsBufferSize` events behind loses the oldest: the `handler`
   * is the durable way.
   */
  readonly events: Stream.Stream<TrackerEvent.TrackerEvent>
  /**
   * Takes a webhook delivery, as a receiver's `onEvent`: an `ENRICHMENT_NOTIFICATION` for
   * a tracked session makes it due at once (a confirming poll); the first one is kept
   * for the account outcomes if it agrees with the confirmed progress. Anything else is
   * ignored. Never fails.
   */
  readonly onEvent: (event: WebhookPayload.Event) => Effect.Effect<void>
  /**
   * Marks a receiver attached for the life of the scope: while one is, polls are spaced
   * by `fallbackInterval`.
   */
  readonly attachReceiver: Effect.Effect<void, never, Scope.Scope>
  /** Where the tracker stands now. */
  readonly stats: Effect.Effect<Stats>
  /**
   * The webhook dedupe store that replicas share, from the tracker's store (a table with a
   * unique key in SQL): {@link layerWebhookServer} uses it; give it to your own receiver
   * (`dedupe`) so that copies of one delivery taken by two replicas are handled once.
   * `undefined` unless the tracker runs as a replica (one process keeps its receiver's own).
   */
  readonly dedupe: WebhookReceiver.DedupeStore | undefined
}

/**
 * The tracker service.
 *
 * @since 0.3.0
 * @category tags
 */
export class Tracker extends Context.Tag("@effect-bankconnect/tracker/Tracker")<Tracker, Service>() {}

/**
 * The tracker's settings.
 *
 * @since 0.3.0
 * @category models
 */
export interface Options<E = never, R = never> {
  /** The pause between the end of a session's poll and its next poll. Default `"2 seconds"`. */
  readonly interval?: Duration.DurationInput | undefined
  /**
   * The pause while a receiver is attached: the webhook tells of completion, and polling
   * is the fallback (`"30 seconds"`, say). Default: `interval`.
   */
  readonly fallbackInterval?: Duration.DurationInput | undefined
  /** At most this many polls at once (one worker each). Default 32. */
  readonly maxRequestsInFlight?: number | undefined
  /**
   * When a poll fails with a transient error (after the client's own retries): the
   * session's next poll waits for this schedule's next delay (its input is the error);
   * once the schedule is done, the session ends with `Failed`. A successful poll starts it
   * over. Default: from `interval`, doubling, jittered, at most 1 minute, forever.
   */
  readonly backoff?: Schedule.Schedule<unknown, BankConnectError.BankConnectError> | undefined
  /**
   * How long the fleet pauses after a 429 whose `Retry-After` the tracker did not see
   * (see `RateLimit`). Default `"5 seconds"`.
   */
  readonly rateLimitPause?: Duration.DurationInput | undefined
  /** The longest pause a `Retry-After` may ask for. Default `"5 minutes"`. */
  readonly maxRateLimitPause?: Duration.DurationInput | undefined
  /**
   * How long the fleet pauses when the API refuses the credentials (`AccessDenied`): they
   * are the same for every session, so no session is ended for it; the tracker logs the
   * pause and tries again after it. Default `"1 minute"`.
   */
  readonly accessDeniedPause?: Duration.DurationInput | undefined
  /**
   * Runs for every event, at least once, after the change that caused it is stored; the
   * event is acknowledged in the store after it succeeds. The events of one session reach
   * it in order, one at a time. Without a handler, events are stored acknowledged.
   */
  readonly handler?: ((event: TrackerEvent.TrackerEvent) => Effect.Effect<void, E, R>) | undefined
  /**
   * When given, a completed session's insights are fetched (unless its session status
   * says there are none) and handed to this before its `Completed` event is written; if
   * it fails, the session is confirmed again one interval later. Insights are large
   * (megabytes) and hold report links that expire: they are never stored in the outbox.
   */
  readonly onInsights?:
    | ((
      insights: Insights.Insights,
      session: { readonly sessionId: string; readonly reference: string | null }
    ) => Effect.Effect<void, E, R>)
    | undefined
  /** How many sessions' events the handler runs for at once. Default 8. */
  readonly handlerConcurrency?: number | undefined
  /**
   * When the handler fails (or dies): the session's events wait for this schedule's next
   * delay, then the failed one runs again. Default: 1 second, doubling, jittered, at
   * most 1 minute; it starts over when it is done.
   */
  readonly handlerRetry?: Schedule.Schedule<unknown, unknown> | undefined
  /**
   * Keep the HTTP client's span for each request the tracker sends. Default `false`: the
   * client's own span per call (`BankConnectClient.getProgress`, ...) stays, but the
   * platform's `http.client` span under it is not made; at thousands of polls a second it
   * is mostly noise, and it costs about a fifth of a poll's CPU.
   */
  readonly traceRequests?: boolean | undefined
  /** How long acknowledged events stay in the outbox. Default `"1 day"`. */
  readonly outboxRetention?: Duration.DurationInput | undefined
  /** How many events a slow `events` subscriber may fall behind before losing the oldest. Default 4,096. */
  readonly eventsBufferSize?: number | undefined
  /**
   * Run as one of several replicas sharing the store (several processes on one Postgres,
   * through `PgTrackerStore`): each session is polled by the one replica that holds its
   * lease, and each session's events are handled by the one that holds its delivery lease.
   * See {@link ReplicaOptions}. Without it the tracker takes every tracked session of the
   * store as its own: one process per store.
   */
  readonly replica?: ReplicaOptions | undefined
}

/**
 * How a replica shares the fleet with the others.
 *
 * - Each replica claims a fair share of the tracked sessions (the tracked sessions over
 *   the replicas alive), in batches, and holds their leases, renewing them every
 *   `min(interval / 2, leaseTtl / 3)`; it gives back what is over its share when another
 *   replica joins. A session tracked through a replica is that replica's at first.
 * - A replica writes a session only while it holds its lease: one that lost it (paused
 *   too long, cut off from the database) cannot overwrite the state of the one that took
 *   it over, and it stops polling before its leases run out by its own clock.
 * - A replica that dies loses its leases after `leaseTtl`; the others claim its sessions
 *   and poll them within one interval. A replica that stops cleanly gives them back,
 *   claimable one interval after its last polls.
 * - Events: each session's pending events are handled by one replica at a time (a
 *   delivery lease); if it dies mid-handler, another runs them again after `leaseTtl`. A
 *   handler should finish well within `leaseTtl`.
 * - A 429 pauses every replica (the pause is in the store). A webhook taken by any
 *   replica wakes the replica that holds the session (Postgres `NOTIFY`).
 *
 * Replicas' clocks must agree to well within `leaseTtl` (NTP does).
 *
 * @since 0.3.0
 * @category models
 */
export interface ReplicaOptions {
  /** This replica's id, unique among the live ones. Default: a random one. */
  readonly id?: string | undefined
  /** How long a lease lasts unless renewed. Default `"30 seconds"`. */
  readonly leaseTtl?: Duration.DurationInput | undefined
  /** The most sessions one claim takes. Default 500. */
  readonly claimBatchSize?: number | undefined
}

/**
 * Builds the tracker for the life of the scope: loads the tracked sessions from the
 * store (their first polls spread over one interval), starts the scheduler, its workers,
 * the writer and, with a handler, the delivery of pending events.
 *
 * @since 0.3.0
 * @category constructors
 */
export const make: <E = never, R = never>(
  options?: Options<E, R>
) => Effect.Effect<
  Service,
  TrackerStoreError,
  BankConnectClient.BankConnectClient | TrackerStore.TrackerStore | Scope.Scope | R
> = Internal.make

/**
 * The tracker as a layer over a `BankConnectClient` and a `TrackerStore`.
 *
 * @since 0.3.0
 * @category layers
 */
export const layer = <E = never, R = never>(
  options?: Options<E, R>
): Layer.Layer<Tracker, TrackerStoreError, BankConnectClient.BankConnectClient | TrackerStore.TrackerStore | R> =>
  Layer.scoped(Tracker, Internal.make(options))

/**
 * The settings read from `Config`: `BANKCONNECT_TRACKER_INTERVAL` and
 * `BANKCONNECT_TRACKER_FALLBACK_INTERVAL` (durations such as `2 seconds`) and
 * `BANKCONNECT_TRACKER_MAX_REQUESTS_IN_FLIGHT`, all optional.
 *
 * @since 0.3.0
 * @category config
 */
export const config: Config.Config<{
  readonly interval: Option.Option<Duration.Duration>
  readonly fallbackInterval: Option.Option<Duration.Duration>
  readonly maxRequestsInFlight: Option.Option<number>
}> = Config.all({
  interval: Config.option(Config.duration("BANKCONNECT_TRACKER_INTERVAL")),
  fallbackInterval: Config.option(Config.duration("BANKCONNECT_TRACKER_FALLBACK_INTERVAL")),
  maxRequestsInFlight: Config.option(
    Config.integer("BANKCONNECT_TRACKER_MAX_REQUESTS_IN_FLIGHT").pipe(
      Config.validate({ message: "must be at least 1", validation: (n) => n >= 1 })
    )
  )
})

/**
 * {@link layer} with `interval`, `fallbackInterval` and `maxRequestsInFlight` read from
 * {@link config} when set there; the other settings are given here.
 *
 * @since 0.3.0
 * @category layers
 */
export const layerConfig = <E = never, R = never>(
  options?: Options<E, R>
): Layer.Layer<
  Tracker,
  TrackerStoreError | ConfigError.ConfigError,
  BankConnectClient.BankConnectClient | TrackerStore.TrackerStore | R
> =>
  Layer.unwrapEffect(Effect.map(config, (read) =>
    layer({
      ...options,
      interval: Option.getOrElse(read.interval, () => options?.interval),
      fallbackInterval: Option.getOrElse(read.fallbackInterval, () => options?.fallbackInterval),
      maxRequestsInFlight: Option.getOrElse(read.maxRequestsInFlight, () => options?.maxRequestsInFlight)
    })))

/**
 * A webhook server (the client's `WebhookServer.serve`) that hands every delivery to the
 * tracker, attached for its lifetime (so `fallbackInterval` applies). It provides the
 * client's `WebhookEvents` too; its own `onEvent`, if given, runs after the tracker's. Its
 * dedupe is the tracker's store's (shared by replicas) unless `dedupe` is given.
 *
 * @since 0.3.0
 * @category layers
 */
export const layerWebhookServer = <E = never, R = never>(
  options?: WebhookServer.ServeOptions<E, R>
): Layer.Layer<WebhookServer.WebhookEvents, WebhookServer.ServeError, Tracker | R> =>
  Layer.scoped(
    WebhookServer.WebhookEvents,
    Effect.gen(function*() {
      const tracker = yield* Tracker
      const own = options?.onEvent
      if (tracker.dedupe !== undefined && options?.secret === undefined) {
        yield* Effect.logWarning(
          "Tracker: a replica's webhook server without a secret: every delivery anyone sends writes a row and a NOTIFY to the database; give it a secret"
        )
      }
      const server = yield* WebhookServer.serve<E, R>({
        ...options,
        dedupe: options?.dedupe ?? tracker.dedupe,
        onEvent: (event) =>
          own === undefined ? tracker.onEvent(event) : Effect.zipRight(tracker.onEvent(event), own(event))
      })
      yield* tracker.attachReceiver
      return server
    })
  )

/**
 * Hands every event of the `WebhookEvents` in context (a receiver already running) to
 * the tracker, attached for the layer's lifetime.
 *
 * @since 0.3.0
 * @category layers
 */
export const layerWebhookEvents: Layer.Layer<never, never, Tracker | WebhookServer.WebhookEvents> = Layer
  .scopedDiscard(
    Effect.gen(function*() {
      const tracker = yield* Tracker
      const server = yield* WebhookServer.WebhookEvents
      yield* tracker.attachReceiver
      yield* Effect.forkScoped(Stream.runForEach(server.events, tracker.onEvent))
    })
  )

/**
 * The default poll interval, 2 seconds.
 *
 * @since 0.3.0
 * @category constants
 */
export const defaultInterval: Duration.Duration = Duration.seconds(2)
