import * as BankConnectClient from "@effect-bankconnect/client/BankConnectClient"
import * as BankConnectError from "@effect-bankconnect/client/BankConnectError"
import * as Progress from "@effect-bankconnect/client/Progress"
import type * as WebhookPayload from "@effect-bankconnect/client/WebhookPayload"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Cause from "effect/Cause"
import * as DateTime from "effect/DateTime"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { constTrue, identity } from "effect/Function"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as Intervals from "effect/ScheduleIntervals"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as TrackedSession from "../TrackedSession.js"
import type * as Tracker from "../Tracker.js"
import { NotTracked, type TrackerStoreError, TrackingTimeout } from "../TrackerError.js"
import * as TrackerEvent from "../TrackerEvent.js"
import * as TrackerStore from "../TrackerStore.js"
import * as Confirm from "./confirm.js"
import * as Delivery from "./delivery.js"
import { Heap, type Node } from "./heap.js"
import * as RateLimit from "./rateLimit.js"
import * as Records from "./records.js"
import { Signal } from "./signal.js"

// One scheduler fiber, a pool of `maxRequestsInFlight` worker fibers and one writer fiber
// run the whole fleet. A session is an `Entry` in a Map and in a binary heap keyed by the
// time it is next due (its next poll, or its deadline if that comes first); nothing else
// per session lives in memory. Time is read from the `Clock`, so `TestClock` drives it all.
//
// The scheduler pops what is due while a worker is free and hands it over; a worker
// polls, decides what changed, reschedules the entry and queues the change. The writer
// takes every queued change (and every `track` / `untrack`) and writes them to the store
// in one transaction; only then are their events published, delivered and waited on.
// Nothing leaves the process before it is stored, so a crash loses only changes that no
// one saw, and polling finds them again.

/** In the heap, waiting for its next poll. */
const IDLE = 0
/** Handed to a worker; its poll is running. */
const RUNNING = 1
/** Completed, failed or timed out: no longer polled. */
const ENDED = 2
/** Untracked: whatever its poll finds is dropped. */
const REMOVED = 3

class Entry implements Node {
  key = 0
  index = -1
  status = IDLE
  /** The schedule's state while polls fail in a row, `undefined` otherwise. */
  backoff: unknown = undefined
  /** The session's first ENRICHMENT_NOTIFICATION, kept until it ends. */
  webhook: WebhookPayload.EnrichmentNotification | undefined = undefined
  /** A webhook arrived while a poll was running: poll again at once. */
  urgent = false
  /** When it became this process's (a replica renewing its leases drops only older ones). */
  since = 0
  /** A stored session's entry. */
  static of(record: TrackerStore.SessionRecord): Entry {
    return new Entry(
      record.sessionId,
      record.reference,
      record.trackedAt,
      record.deadline,
      record.progress,
      record.eventSeq
    )
  }
  constructor(
    readonly sessionId: string,
    readonly reference: string | null,
    readonly trackedAt: number,
    readonly deadline: number | null,
    /** The latest snapshot's JSON, which the next one is compared with. */
    public fingerprint: string | null,
    /** The number of the session's latest event. */
    public seq: number
  ) {}
}

interface TrackWrite {
  readonly _tag: "Track"
  readonly write: TrackerStore.Track
  readonly deferred: Deferred.Deferred<TrackerStore.WriteResult, TrackerStoreError>
  made: TrackerEvent.Tracked | undefined
}

type Write =
  | TrackWrite
  | {
    readonly _tag: "Untrack"
    readonly write: TrackerStore.Untrack
    readonly deferred: Deferred.Deferred<TrackerStore.WriteResult, TrackerStoreError>
  }
  | {
    readonly _tag: "Update"
    readonly write: TrackerStore.Update
    readonly entry: Entry
    readonly events: ReadonlyArray<TrackerEvent.TrackerEvent>
    readonly outcome: TrackerEvent.Outcome | undefined
  }

const maxSessionIdLength = 256
const maxReferenceLength = 1024
const writeBatchSize = 1000
const loadPageSize = 1000

const invalid = (argument: string, message: string) => new BankConnectError.InvalidArgument({ argument, message })

const checkSessionId = (sessionId: unknown): BankConnectError.InvalidArgument | undefined => {
  if (typeof sessionId !== "string" || sessionId.length === 0) {
    return invalid("sessionId", "The session id must be a non-empty string")
  }
  if (sessionId.length > maxSessionIdLength) {
    return invalid("sessionId", `The session id is over ${maxSessionIdLength} characters`)
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(sessionId)) return invalid("sessionId", "The session id holds control characters")
  return undefined
}

const positiveInt = (name: string, value: number | undefined, fallback: number): number => {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < 1) {
    throw new TypeError(`Tracker: ${name} must be a whole number of at least 1`)
  }
  return value
}

const millis = (name: string, value: Duration.DurationInput | undefined, fallback: Duration.DurationInput): number => {
  const decoded = Duration.decodeUnknown(value ?? fallback)
  if (Option.isNone(decoded) || !Duration.isFinite(decoded.value)) {
    throw new TypeError(`Tracker: ${name} must be a finite duration`)
  }
  return Duration.toMillis(decoded.value)
}

/** A small seeded generator (mulberry32), so spreading 100,000 first polls costs no Effect per poll. */
const generator = (seed: number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Events are built here from values already typed, so their constructors skip validation:
 * a `Schema.Class` validates through `AST.typeAST`, which for fields with transformations
 * (the `DateTime` fields) builds a new AST, and so compiles a new parser, on every call.
 */
const trusted = { disableValidation: true } as const

const replicaId = (id: string | undefined): string => {
  if (id === undefined) return `replica-${crypto.randomUUID()}`
  if (id.length === 0 || id.length > 200) throw new TypeError("Tracker: replica.id must be 1 to 200 characters")
  return id
}

const isRateLimited = (error: BankConnectError.BankConnectError) =>
  error._tag === "UnknownApiError" && error.status === 429

/** @internal */
export const make = <E = never, R = never>(
  options: Tracker.Options<E, R> = {}
): Effect.Effect<
  Tracker.Service,
  TrackerStoreError,
  BankConnectClient.BankConnectClient | TrackerStore.TrackerStore | Scope.Scope | R
> =>
  Effect.gen(function*() {
    const settings = yield* Effect.try({
      try: () => ({
        interval: millis("interval", options.interval, "2 seconds"),
        fallbackInterval: options.fallbackInterval === undefined
          ? undefined
          : millis("fallbackInterval", options.fallbackInterval, "2 seconds"),
        maxInFlight: positiveInt("maxRequestsInFlight", options.maxRequestsInFlight, 32),
        rateLimitPause: millis("rateLimitPause", options.rateLimitPause, "5 seconds"),
        maxRateLimitPause: millis("maxRateLimitPause", options.maxRateLimitPause, "5 minutes"),
        accessDeniedPause: millis("accessDeniedPause", options.accessDeniedPause, "1 minute"),
        handlerConcurrency: positiveInt("handlerConcurrency", options.handlerConcurrency, 8),
        outboxRetention: millis("outboxRetention", options.outboxRetention, "1 day"),
        eventsBufferSize: positiveInt("eventsBufferSize", options.eventsBufferSize, 4096),
        replica: options.replica === undefined ? undefined : {
          id: replicaId(options.replica.id),
          ttl: millis("replica.leaseTtl", options.replica.leaseTtl, "30 seconds"),
          claimBatchSize: positiveInt("replica.claimBatchSize", options.replica.claimBatchSize, 500)
        }
      }),
      catch: (error) => error
    }).pipe(Effect.orDie)
    const client = yield* BankConnectClient.BankConnectClient
    const store = yield* TrackerStore.TrackerStore
    const replica = settings.replica
    const coordination = store.coordination
    if (replica !== undefined && coordination === undefined) {
      return yield* Effect.dieMessage(
        "Tracker: replica needs a store that replicas share (SqlTrackerStore, PgTrackerStore); this one has no leases"
      )
    }
    const lease = replica !== undefined && coordination !== undefined ? { ...replica, coordination } : undefined
    const clock = yield* Effect.clock
    const random = generator(yield* Random.nextInt)
    const backoff: Schedule.Schedule<unknown, BankConnectError.BankConnectError> = options.backoff ??
      Schedule.exponential(Math.max(settings.interval, 100), 2).pipe(
        Schedule.jittered,
        Schedule.modifyDelay((delay) => Duration.min(delay, Duration.minutes(1)))
      )
    const handlerRetry: Schedule.Schedule<unknown, unknown> = options.handlerRetry ??
      Schedule.exponential("1 second", 2).pipe(
        Schedule.jittered,
        Schedule.modifyDelay((delay) => Duration.min(delay, Duration.minutes(1)))
      )
    const handler = options.handler
    const onInsights = options.onInsights
    const now = () => clock.unsafeCurrentTimeMillis()

    const entries = new Map<string, Entry>()
    const heap = new Heap<Entry>()
    const pubsub = yield* PubSub.sliding<TrackerEvent.TrackerEvent>(settings.eventsBufferSize)
    const waiters = new Map<string, Set<Deferred.Deferred<TrackerEvent.Outcome, NotTracked>>>()
    let receivers = 0
    let pausedUntil = 0
    let pauseAnnounced = true
    /** Why the fleet is paused, for the log. */
    let pauseReason = "rate limited (HTTP 429)"
    let busy = 0

    const currentInterval = () =>
      receivers > 0 && settings.fallbackInterval !== undefined ? settings.fallbackInterval : settings.interval

    // --- the scheduler's wake-ups

    const schedulerSignal = new Signal()
    /** A replica polls only while its leases are surely its own, by its clock. */
    let leaseValidUntil = lease === undefined ? Infinity : 0
    /** When the scheduler's sleep ends; earlier work must wake it. */
    let sleepingUntil = Infinity
    /** The scheduler waits for a worker to finish. */
    let waitingForWorker = false

    const schedule = (entry: Entry, due: number) => {
      entry.status = IDLE
      entry.urgent = false
      const key = entry.deadline !== null && entry.deadline < due ? entry.deadline : due
      heap.update(entry, key)
      if (key < sleepingUntil) schedulerSignal.notify()
    }

    /** The first poll of a session: at a random point of the coming interval, never a herd. */
    const scheduleFirst = (entry: Entry, at: number) => schedule(entry, at + Math.floor(random() * currentInterval()))

    const pauseUntil = (until: number) => {
      if (until > pausedUntil) {
        if (pausedUntil <= now()) pauseAnnounced = false
        pausedUntil = until
        schedulerSignal.notify()
      }
    }
    /** Pauses the store's other replicas too (the limit is per API key). */
    let sharePause: (until: number) => void = () => {}
    const pause = (retryAfterMillis: number | undefined) => {
      const wait = Math.min(retryAfterMillis ?? settings.rateLimitPause, settings.maxRateLimitPause)
      const until = now() + wait
      if (until > pausedUntil) {
        pauseReason = "rate limited (HTTP 429)"
        sharePause(until)
      }
      pauseUntil(until)
    }
    const onRateLimited: RateLimit.Listener = pause

    // --- the writer

    const writerSignal = new Signal()
    let queue: Array<Write> = []
    const enqueue = (write: Write) => {
      queue.push(write)
      writerSignal.notify()
    }
    const deliverySignal = new Signal()

    /**
     * Event times never go back, even if the system clock does: the outbox hands events out
     * in time order, and a session's events must keep theirs.
     */
    let lastEventAt = 0
    const meta = (entry: Entry, now: number) => {
      const at = Math.max(now, lastEventAt)
      lastEventAt = at
      const seq = ++entry.seq
      return {
        id: TrackerEvent.eventId(entry.sessionId, seq),
        sessionId: entry.sessionId,
        seq,
        reference: entry.reference,
        at: DateTime.unsafeMake(at)
      }
    }

    const ackAtWrite = (at: number) => handler === undefined ? at : null

    /** Stops polling a session here (its lease is another replica's, or given back). */
    const drop = (entry: Entry) => {
      if (entries.get(entry.sessionId) !== entry) return
      entry.status = REMOVED
      heap.remove(entry)
      entries.delete(entry.sessionId)
    }

    /** Queues a change of a session: its record and the events it caused. */
    const update = (
      entry: Entry,
      state: TrackedSession.State,
      events: ReadonlyArray<TrackerEvent.TrackerEvent>,
      outcome: TrackerEvent.Outcome | undefined,
      at: number
    ) => {
      enqueue({
        _tag: "Update",
        entry,
        events,
        outcome,
        write: {
          _tag: "Update",
          session: {
            sessionId: entry.sessionId,
            reference: entry.reference,
            state,
            trackedAt: entry.trackedAt,
            updatedAt: at,
            deadline: entry.deadline,
            progress: entry.fingerprint,
            outcome: outcome === undefined ? null : TrackerEvent.encodeJson(outcome),
            eventSeq: entry.seq
          },
          events: events.map((event) => Records.toEventRecord(event, ackAtWrite(at))),
          owner: lease?.id
        }
      })
    }

    /** Ends a session: no more polls; the change is queued. */
    const end = (
      entry: Entry,
      state: TrackedSession.State,
      events: Array<TrackerEvent.TrackerEvent>,
      outcome: TrackerEvent.Outcome,
      at: number
    ) => {
      entry.status = ENDED
      heap.remove(entry)
      entries.delete(entry.sessionId)
      events.push(outcome)
      update(entry, state, events, outcome, at)
    }

    const timeOut = (entry: Entry, events: Array<TrackerEvent.TrackerEvent>, at: number): undefined => {
      end(
        entry,
        "timed_out",
        events,
        new TrackerEvent.TimedOut({ ...meta(entry, at), deadline: DateTime.unsafeMake(entry.deadline ?? at) }, trusted),
        at
      )
      return undefined
    }

    const settle = (sessionId: string, exit: Exit.Exit<TrackerEvent.Outcome, NotTracked>) => {
      const set = waiters.get(sessionId)
      if (set === undefined) return
      waiters.delete(sessionId)
      for (const deferred of set) Deferred.unsafeDone(deferred, exit)
    }

    const afterCommit = (
      write: Write,
      result: TrackerStore.WriteResult,
      published: Array<TrackerEvent.TrackerEvent>
    ) => {
      switch (write._tag) {
        case "Track": {
          if (result._tag === "Track" && result.event !== undefined && write.made !== undefined) {
            const record = result.record
            const entry = Entry.of(record)
            entry.since = now()
            entries.set(entry.sessionId, entry)
            scheduleFirst(entry, now())
            published.push(write.made)
          }
          Deferred.unsafeDone(write.deferred, Exit.succeed(result))
          return
        }
        case "Untrack": {
          // a track written earlier in the same batch made an entry after untrack removed it
          const entry = entries.get(write.write.sessionId)
          if (entry !== undefined && result._tag === "Untrack" && result.untracked) {
            entry.status = REMOVED
            heap.remove(entry)
            entries.delete(entry.sessionId)
          }
          if (result._tag === "Untrack" && result.untracked) {
            settle(
              write.write.sessionId,
              Exit.fail(
                new NotTracked({
                  sessionId: write.write.sessionId,
                  message: `Session ${write.write.sessionId} was untracked`
                })
              )
            )
          }
          Deferred.unsafeDone(write.deferred, Exit.succeed(result))
          return
        }
        case "Update": {
          if (result._tag !== "Update" || !result.applied) {
            // the change did not apply: the session was untracked or ended by another process
            // (or, for a replica, another replica holds it now); it is no longer this one's to poll
            drop(write.entry)
            return
          }
          for (const event of write.events) published.push(event)
          if (write.outcome !== undefined) settle(write.entry.sessionId, Exit.succeed(write.outcome))
          return
        }
      }
    }

    const writeRetry = Schedule.exponential("100 millis", 2).pipe(
      Schedule.modifyDelay((delay) => Duration.min(delay, Duration.seconds(5)))
    )

    /**
     * A write as the store takes it: a replica's track takes its lease from the time it is
     * written, not from the call (a batch retried through an outage would write it expired).
     */
    const storedWrite = (write: Write): TrackerStore.Write =>
      write._tag === "Track" && lease !== undefined
        ? { ...write.write, lease: { owner: lease.id, until: now() + lease.ttl } }
        : write.write

    /** The batch being written, for the last flush at shutdown. */
    let writing: ReadonlyArray<Write> = []

    const writer = Effect.gen(function*() {
      let retryState: unknown = writeRetry.initial
      while (true) {
        if (queue.length === 0) yield* writerSignal.wait
        const taken = queue.length <= writeBatchSize ? queue : queue.slice(0, writeBatchSize)
        queue = queue.length <= writeBatchSize ? [] : queue.slice(writeBatchSize)
        // changes of sessions untracked since they were queued are dropped
        const batch = taken.filter((write) => write._tag !== "Update" || write.entry.status !== REMOVED)
        if (batch.length === 0) continue
        writing = batch
        const exit = yield* Effect.exit(store.write(batch.map(storedWrite)))
        writing = []
        if (Exit.isFailure(exit)) {
          if (Cause.isInterruptedOnly(exit.cause)) return yield* Effect.interrupt
          const failure = Cause.failureOption(exit.cause)
          const error = Option.isSome(failure) ? failure.value : Cause.squash(exit.cause)
          const retried: Array<Write> = []
          for (const write of batch) {
            if (write._tag === "Update") retried.push(write)
            else if (Option.isSome(failure)) Deferred.unsafeDone(write.deferred, Exit.fail(failure.value))
            else Deferred.unsafeDone(write.deferred, Exit.failCause(exit.cause as Cause.Cause<never>))
          }
          queue = retried.concat(queue)
          const [state, , decision] = yield* writeRetry.step(now(), error, retryState)
          retryState = state
          const delay = ScheduleDecision.isContinue(decision)
            ? Math.max(0, Intervals.start(decision.intervals) - now())
            : 5000
          yield* Effect.logWarning(
            `Tracker: writing ${batch.length} changes failed; ${retried.length} are retried in ${delay} ms`
          ).pipe(Effect.annotateLogs("cause", Cause.pretty(exit.cause)))
          yield* Effect.sleep(delay)
          continue
        }
        retryState = writeRetry.initial
        const published: Array<TrackerEvent.TrackerEvent> = []
        const results = exit.value
        for (let i = 0; i < batch.length; i++) afterCommit(batch[i]!, results[i]!, published)
        if (published.length > 0) {
          yield* PubSub.publishAll(pubsub, published)
          if (handler !== undefined) deliverySignal.notify()
        }
      }
    })

    // --- polling
    //
    // What a poll's answer leads to is decided synchronously: most answers (processing,
    // unchanged) cost no Effect step beyond the call itself. Only a completion (the
    // confirmation calls), a transient failure (the backoff schedule's step) and a log line
    // give an Effect to run.

    const onCompleted = (
      entry: Entry,
      progress: Progress.SessionProgress,
      events: Array<TrackerEvent.TrackerEvent>
    ): Effect.Effect<void, never, R> =>
      Effect.flatMap(Effect.exit(Confirm.confirm(client, progress, entry.webhook, entry, onInsights)), (confirmed) => {
        if (entry.status === REMOVED) return Effect.void
        const at = now()
        if (Exit.isFailure(confirmed)) {
          if (events.length > 0) update(entry, "tracking", events, undefined, at)
          return onFailure(entry, confirmed.cause) ?? Effect.void
        }
        const completed = new TrackerEvent.Completed({
          ...meta(entry, at),
          via: confirmed.value.via,
          progress,
          accounts: confirmed.value.accounts,
          insightsAvailable: confirmed.value.insightsAvailable
        }, trusted)
        end(entry, "completed", events, completed, at)
        return Effect.void
      })

    const onSnapshot = (
      entry: Entry,
      progress: Progress.SessionProgress
    ): Effect.Effect<void, never, R> | undefined => {
      entry.backoff = undefined
      const events: Array<TrackerEvent.TrackerEvent> = []
      const json = Records.progressJson(progress)
      const at = now()
      if (json !== entry.fingerprint) {
        entry.fingerprint = json
        events.push(new TrackerEvent.ProgressChanged({ ...meta(entry, at), progress }, trusted))
      }
      if (Progress.isComplete(progress)) return onCompleted(entry, progress, events)
      if (entry.deadline !== null && at >= entry.deadline) return timeOut(entry, events, at)
      if (events.length > 0) update(entry, "tracking", events, undefined, at)
      schedule(entry, entry.urgent ? at : at + currentInterval())
      return undefined
    }

    const onFailure = (
      entry: Entry,
      cause: Cause.Cause<BankConnectError.BankConnectError | Confirm.HookFailed>
    ): Effect.Effect<void> | undefined => {
      const at = now()
      const failure = Cause.failureOption(cause)
      if (Option.isNone(failure)) {
        // a defect: logged, and polled again one interval later
        schedule(entry, at + currentInterval())
        return Effect.logError("Tracker: a poll died").pipe(
          Effect.annotateLogs({ "bankconnect.session_id": entry.sessionId, cause: Cause.pretty(cause) })
        )
      }
      if (failure.value._tag === "HookFailed") {
        schedule(entry, at + currentInterval())
        return Effect.logWarning("Tracker: onInsights failed; the session is confirmed again later").pipe(
          Effect.annotateLogs({
            "bankconnect.session_id": entry.sessionId,
            cause: Cause.pretty(Cause.fail(failure.value.cause))
          })
        )
      }
      const error = failure.value
      if (error._tag === "AccessDenied") {
        // the API refuses the credentials (a key being rotated, a deploy with the wrong
        // ones): every session would fail alike, so the fleet waits instead of ending them
        const until = at + settings.accessDeniedPause
        if (until > pausedUntil) {
          pauseReason = "the API refused the credentials (ACCESS_DENIED): check the API key and server hash"
          sharePause(until)
        }
        pauseUntil(until)
        schedule(entry, Math.max(pausedUntil, at))
        return undefined
      }
      if (isRateLimited(error)) {
        // the limit is per API key: the whole fleet waits, this session included
        pause(undefined)
        schedule(entry, Math.max(pausedUntil, at))
        return undefined
      }
      const fail = () => {
        end(entry, "failed", [], new TrackerEvent.Failed({ ...meta(entry, at), error }, trusted), at)
        return undefined
      }
      // PROCESSING_NOT_COMPLETED from the session-status call: the progress API was ahead of it
      if (!BankConnectError.isRetryable(error) && error._tag !== "ProcessingNotCompleted") return fail()
      return Effect.flatMap(backoff.step(at, error, entry.backoff ?? backoff.initial), ([state, , decision]) => {
        if (entry.status === REMOVED) return Effect.void
        if (ScheduleDecision.isDone(decision)) return Effect.sync(fail)
        entry.backoff = state
        const delay = Math.max(0, Intervals.start(decision.intervals) - at)
        schedule(entry, entry.urgent ? at : at + delay)
        return Effect.logDebug(`Tracker: poll failed with ${error._tag}; next poll in ${delay} ms`).pipe(
          Effect.annotateLogs({ "bankconnect.session_id": entry.sessionId, "bankconnect.delay_ms": delay })
        )
      })
    }

    // --- the workers

    const ready: Array<Entry> = []
    const idle: Array<(entry: Entry) => void> = []
    const dispatch = (entry: Entry) => {
      const worker = idle.pop()
      if (worker === undefined) ready.push(entry)
      else worker(entry)
    }
    const take: Effect.Effect<Entry> = Effect.async<Entry>((resume) => {
      const worker = (entry: Entry) => resume(Effect.succeed(entry))
      idle.push(worker)
      return Effect.sync(() => {
        const i = idle.indexOf(worker)
        if (i >= 0) idle.splice(i, 1)
      })
    })
    const died = (entry: Entry) => (cause: Cause.Cause<unknown>) =>
      Effect.logError("Tracker: handling a poll died", cause).pipe(
        Effect.annotateLogs("bankconnect.session_id", entry.sessionId)
      )

    /** One worker: takes what the scheduler hands it, polls, decides; one poll at a time. */
    const worker = Effect.gen(function*() {
      while (true) {
        const entry = ready.shift() ?? (yield* take)
        const exit = yield* Effect.exit(client.getProgress(entry.sessionId))
        if (entry.status !== REMOVED) {
          let next: Effect.Effect<void, never, R> | undefined
          try {
            next = Exit.isSuccess(exit) ? onSnapshot(entry, exit.value) : onFailure(entry, exit.cause)
          } catch (defect) {
            next = died(entry)(Cause.die(defect))
          }
          if (next !== undefined) yield* Effect.catchAllCause(next, died(entry))
        }
        busy--
        if (waitingForWorker) schedulerSignal.notify()
      }
    }).pipe(
      // a 429 seen by RateLimit's HttpClient wrapper, during any of this worker's calls, pauses the fleet
      Effect.locally(RateLimit.currentListener, onRateLimited),
      // an HTTP span per poll is noise at thousands of polls a second, and about a fifth of a
      // poll's CPU; the client's own span per call stays
      options.traceRequests === true ? identity : Effect.locally(HttpClient.currentTracerDisabledWhen, constTrue)
    )

    // --- the scheduler

    // The scheduler sleeps on its signal only; a timer fiber notifies it when the earliest
    // due time comes. A timer is armed only when nothing armed fires by then, and is never
    // interrupted (an earlier one is simply armed beside it): one short fiber per wake-up,
    // where racing a sleep against the signal would fork two and drop one.
    const scope = yield* Effect.scope
    let armedAt = Infinity
    const arm = (at: number) => {
      const current = now()
      if (armedAt > current && armedAt <= at) return Effect.void
      armedAt = at
      return Effect.forkIn(
        Effect.zipRight(
          Effect.sleep(Math.max(0, at - current)),
          Effect.sync(() => {
            if (armedAt === at) armedAt = Infinity
            schedulerSignal.notify()
          })
        ),
        scope
      )
    }

    const scheduler = Effect.gen(function*() {
      while (true) {
        const at = now()
        if (at >= leaseValidUntil) {
          // a replica whose leases may have run out polls nothing until it has renewed them
          sleepingUntil = Infinity
          yield* schedulerSignal.wait
          continue
        }
        if (pausedUntil > at) {
          if (!pauseAnnounced) {
            pauseAnnounced = true
            yield* Effect.logWarning(`Tracker: ${pauseReason}; polling paused for ${pausedUntil - at} ms`)
          }
          sleepingUntil = pausedUntil
          yield* arm(pausedUntil)
          yield* schedulerSignal.wait
          sleepingUntil = Infinity
          continue
        }
        while (busy < settings.maxInFlight) {
          const top = heap.peek()
          if (top === undefined || top.key > at) break
          heap.pop()
          if (top.deadline !== null && top.deadline <= at) {
            timeOut(top, [], at)
            continue
          }
          top.status = RUNNING
          busy++
          dispatch(top)
        }
        if (busy >= settings.maxInFlight) {
          waitingForWorker = true
          yield* schedulerSignal.wait
          waitingForWorker = false
          continue
        }
        const top = heap.peek()
        sleepingUntil = top === undefined ? Infinity : top.key
        if (top !== undefined) yield* arm(top.key)
        yield* schedulerSignal.wait
        sleepingUntil = Infinity
      }
    })

    // --- a replica's leases
    //
    // Every tick a replica renews its leases (and says it is alive), learns the fleet's
    // size, the replicas alive and a shared 429 pause, drops the sessions it no longer
    // holds, gives back what is over its fair share and claims up to it. It polls only
    // while its leases are surely its own by its clock (`leaseValidUntil`).

    const maintainLeases = (replicaLease: NonNullable<typeof lease>) =>
      Effect.gen(function*() {
        const { claimBatchSize, coordination: leases, id: owner, ttl } = replicaLease
        // a replica stops starting polls this long before its leases could run out: room for
        // a poll in flight (the client's timeout, a retry) and for clocks that differ a little
        const margin = Math.max(Math.floor(ttl / 5), Math.min(Math.floor(ttl / 3), settings.interval + 10_000))
        const tick = Math.max(100, Math.min(Math.floor(settings.interval / 2), Math.floor(ttl / 3)))
        const signal = new Signal()
        let pauseToShare = 0
        sharePause = (until) => {
          pauseToShare = Math.max(pauseToShare, until)
          signal.notify()
        }
        /** Held in the store but not here at the previous renewal: given back if still so. */
        let strays = new Set<string>()
        let failures = 0
        const warn = (what: string) => (error: TrackerStoreError) =>
          Effect.logWarning(`Tracker: ${what} failed: ${error.message}`).pipe(
            Effect.annotateLogs("tracker.replica", owner)
          )

        const adopt = (record: TrackerStore.SessionRecord, at: number) => {
          if (entries.has(record.sessionId)) return
          const entry = Entry.of(record)
          entry.since = at
          entries.set(entry.sessionId, entry)
          // taken over sessions are overdue: within a quarter of an interval, spread
          schedule(entry, at + Math.floor(random() * settings.interval / 4))
        }

        /** Waiters for sessions another replica holds learn the outcome from the store. */
        const settleElsewhere = Effect.suspend(() =>
          Effect.forEach(
            [...waiters.keys()].filter((sessionId) => !entries.has(sessionId)),
            (sessionId) =>
              store.get(sessionId).pipe(
                Effect.flatMap((stored) => {
                  if (Option.isNone(stored) || stored.value.state === "untracked") {
                    settle(
                      sessionId,
                      Exit.fail(new NotTracked({ sessionId, message: `Session ${sessionId} is not tracked` }))
                    )
                    return Effect.void
                  }
                  if (stored.value.state === "tracking") return Effect.void
                  return Effect.map(Records.toTrackedSession(stored.value), (session) => {
                    if (session.outcome !== null) settle(sessionId, Exit.succeed(session.outcome))
                  })
                }),
                Effect.catchAll(() => Effect.void)
              ),
            { concurrency: 4, discard: true }
          )
        )

        const round = Effect.gen(function*() {
          const at = now()
          if (pauseToShare > 0) {
            const until = pauseToShare
            pauseToShare = 0
            yield* leases.pause(until).pipe(Effect.catchAll(warn("sharing a 429 pause")))
          }
          const renewed = yield* Effect.either(leases.renew({ owner, now: at, until: at + ttl, replicaTtl: ttl }))
          if (renewed._tag === "Left") {
            if (failures++ % 10 === 0) yield* warn("renewing the leases")(renewed.left)
            return
          }
          failures = 0
          const renewal = renewed.right
          leaseValidUntil = at + ttl - margin
          schedulerSignal.notify()
          if (renewal.pausedUntil > pausedUntil) {
            pauseReason = "paused by another replica (a 429, or the credentials refused)"
          }
          pauseUntil(renewal.pausedUntil)
          const owned = new Set(renewal.owned)
          for (const entry of [...entries.values()]) {
            if (entry.since < at && !owned.has(entry.sessionId)) drop(entry)
          }
          const giveBack: Array<string> = []
          const seen = new Set<string>()
          for (const sessionId of renewal.owned) {
            if (entries.has(sessionId)) continue
            if (strays.has(sessionId)) giveBack.push(sessionId)
            else seen.add(sessionId)
          }
          strays = seen
          const share = Math.ceil(renewal.tracking / renewal.replicas)
          const slack = Math.max(2, Math.ceil(share / 10))
          // given back, a session is claimed no sooner than one interval after its last poll here
          let freeAt = at + settings.interval
          if (entries.size > share + slack) {
            // over its share (another replica joined): the sessions due last go back
            const idleEntries = [...entries.values()].filter((entry) => entry.status === IDLE)
            idleEntries.sort((a, b) => b.key - a.key)
            for (const entry of idleEntries.slice(0, entries.size - share)) {
              freeAt = Math.max(freeAt, entry.key)
              drop(entry)
              giveBack.push(entry.sessionId)
            }
          }
          if (giveBack.length > 0) {
            yield* leases.release(owner, giveBack, freeAt).pipe(Effect.catchAll(warn("giving back leases")))
          }
          // up to its share, a batch at a time, while batches come back full
          while (entries.size < share) {
            const limit = Math.min(share - entries.size, claimBatchSize)
            const claimed = yield* leases.claim({ owner, now: at, until: at + ttl, limit }).pipe(
              Effect.catchAll((error) => Effect.as(warn("claiming sessions")(error), []))
            )
            const adoptedAt = now()
            for (const record of claimed) adopt(record, adoptedAt)
            if (claimed.length < limit) break
          }
        })

        const rounds = yield* Effect.forkScoped(Effect.forever(
          Effect.zipRight(
            Effect.catchAllCause(
              Effect.zipRight(round, settleElsewhere),
              (cause) => Effect.logError("Tracker: a lease round died", cause)
            ),
            signal.waitAtMost(tick)
          )
        ))
        const notify = leases.wake
        if (leases.wakes !== undefined && notify !== undefined) {
          // The listening connection can die without a word (a Postgres restart): a ping to
          // itself every few seconds proves it alive, and without its echo the listener starts
          // over on a new connection.
          const wakes = leases.wakes
          const ping = `ping:${owner}`
          const pingEvery = 5000
          let echoedAt = now()
          const listen = Stream.runForEach(wakes, (payload) =>
            Effect.sync(() => {
              if (payload === ping) echoedAt = now()
              else wake(payload)
            }))
          const watchdog = Effect.gen(function*() {
            echoedAt = now()
            while (true) {
              yield* Effect.sleep(pingEvery)
              yield* Effect.ignore(notify(ping))
              yield* Effect.sleep(pingEvery)
              if (now() - echoedAt > 2 * pingEvery) return yield* Effect.fail("no echo" as const)
            }
          })
          yield* Effect.forkScoped(
            Effect.raceFirst(listen, watchdog).pipe(
              Effect.catchAllCause((cause) =>
                Effect.logWarning("Tracker: listening for wake-ups stopped; listening again").pipe(
                  Effect.annotateLogs({ "tracker.replica": owner, cause: Cause.pretty(cause) })
                )
              ),
              Effect.zipRight(Effect.sleep(1000)),
              Effect.forever
            )
          )
        }
        // a clean stop: the rounds stop first (none may claim after), then the last changes are
        // written (the finalizer added after this one runs before it), then the leases go back,
        // claimable one interval on
        yield* Effect.addFinalizer(() =>
          Effect.zipRight(Fiber.interrupt(rounds), leases.retire(owner, now() + settings.interval)).pipe(
            Effect.timeout("5 seconds"),
            Effect.catchAllCause((cause) =>
              Effect.logWarning("Tracker: giving the leases back at shutdown failed; they run out instead", cause)
            )
          )
        )
      })

    /** A webhook for a session this process polls: poll it now. */
    const wake = (sessionId: string) => {
      const entry = entries.get(sessionId)
      if (entry === undefined) return false
      if (entry.status === IDLE) schedule(entry, now())
      else if (entry.status === RUNNING) entry.urgent = true
      return true
    }

    // --- start: the tracked sessions, then the fibers

    const loadedAt = now()
    let after: string | undefined = undefined
    // a replica claims its share instead (`Replicas.maintain`)
    while (lease === undefined) {
      const page: ReadonlyArray<TrackerStore.SessionRecord> = yield* store.list({
        state: "tracking",
        after,
        limit: loadPageSize
      })
      for (const record of page) {
        const entry = Entry.of(record)
        entries.set(entry.sessionId, entry)
        scheduleFirst(entry, loadedAt)
      }
      if (page.length < loadPageSize) break
      after = page[page.length - 1]!.sessionId
    }

    if (lease !== undefined) yield* maintainLeases(lease)

    // At shutdown, after the fibers stop (finalizers run in reverse order), the changes still
    // queued, and the batch whose write was interrupted, are written once, best effort: a
    // write that did commit is not applied twice (a track of a tracked session changes
    // nothing, and an update applies only above the stored event number).
    yield* Effect.addFinalizer(() =>
      Effect.suspend(() => {
        const left = writing.concat(queue).filter((write) => write._tag === "Update" && write.entry.status !== REMOVED)
        if (left.length === 0) return Effect.void
        return store.write(left.map((write) => write.write)).pipe(
          Effect.timeout("5 seconds"),
          Effect.catchAllCause((cause) =>
            Effect.logWarning(`Tracker: ${left.length} changes were not written at shutdown; they are polled again`)
              .pipe(
                Effect.annotateLogs("cause", Cause.pretty(cause))
              )
          )
        )
      })
    )
    for (let i = 0; i < settings.maxInFlight; i++) yield* Effect.forkScoped(worker)
    yield* Effect.forkScoped(writer)
    yield* Effect.forkScoped(scheduler)
    if (handler !== undefined) {
      yield* Effect.forkScoped(Delivery.run({
        store,
        handler,
        concurrency: settings.handlerConcurrency,
        retry: handlerRetry,
        signal: deliverySignal,
        clock,
        pageSize: 256,
        lease: lease === undefined ? undefined : {
          owner: lease.id,
          ttl: lease.ttl,
          coordination: lease.coordination,
          tick: Math.max(100, Math.min(Math.floor(settings.interval / 2), Math.floor(lease.ttl / 3)))
        }
      }))
    }
    const pruneEvery = Math.min(Math.max(settings.outboxRetention / 2, 60_000), 3_600_000)
    yield* Effect.forkScoped(Effect.forever(Effect.zipRight(
      Effect.sleep(pruneEvery),
      store.pruneAcknowledged(now() - settings.outboxRetention).pipe(
        Effect.catchAll((error) => Effect.logWarning(`Tracker: pruning the outbox failed: ${error.message}`))
      )
    )))

    // --- the service

    const submitTrack = (request: Tracker.TrackRequest) =>
      Effect.gen(function*() {
        const problem = checkSessionId(request.sessionId) ?? (
          request.reference !== undefined &&
            (typeof request.reference !== "string" || request.reference.length > maxReferenceLength)
            ? invalid("reference", `The reference must be a string of at most ${maxReferenceLength} characters`)
            : undefined
        )
        if (problem !== undefined) return yield* problem
        const at = Math.max(now(), lastEventAt)
        lastEventAt = at
        const deadline = request.deadline === undefined
          ? null
          : request.deadline instanceof Date
          ? request.deadline.getTime()
          : at + Duration.toMillis(request.deadline)
        if (deadline !== null && !Number.isFinite(deadline)) {
          return yield* invalid("deadline", "The deadline must be a finite duration or a valid Date")
        }
        const reference = request.reference ?? null
        const deferred = yield* Deferred.make<TrackerStore.WriteResult, TrackerStoreError>()
        const write: TrackWrite = {
          _tag: "Track",
          deferred,
          made: undefined,
          write: {
            _tag: "Track",
            sessionId: request.sessionId,
            reference,
            deadline,
            at,
            tracked: (seq) => {
              const event = new TrackerEvent.Tracked({
                id: TrackerEvent.eventId(request.sessionId, seq),
                sessionId: request.sessionId,
                seq,
                reference,
                at: DateTime.unsafeMake(at),
                deadline: deadline === null ? null : DateTime.unsafeMake(deadline)
              }, trusted)
              write.made = event
              return Records.toEventRecord(event, ackAtWrite(at))
            }
          }
        }
        return write
      })

    const trackedRecord = (result: TrackerStore.WriteResult) =>
      result._tag === "Track"
        ? Records.toTrackedSession(result.record)
        : Effect.dieMessage("Tracker: the store answered a track with another result")

    const track = Effect.fn("Tracker.track")(function*(sessionId: string, trackOptions?: Tracker.TrackOptions) {
      yield* Effect.annotateCurrentSpan("bankconnect.session_id", typeof sessionId === "string" ? sessionId : "")
      if (entries.has(sessionId)) {
        // tracked already: it is in the store (entries are added once stored)
        const stored = yield* store.get(sessionId)
        if (Option.isSome(stored)) return yield* Records.toTrackedSession(stored.value)
      }
      const write = yield* submitTrack({ ...trackOptions, sessionId })
      enqueue(write)
      return yield* Effect.flatMap(Deferred.await(write.deferred), trackedRecord)
    })

    const trackAll = Effect.fn("Tracker.trackAll")(function*(sessions: Iterable<Tracker.TrackRequest>) {
      const writes: Array<TrackWrite> = []
      for (const request of sessions) writes.push(yield* submitTrack(request))
      for (const write of writes) enqueue(write)
      return yield* Effect.forEach(writes, (write) => Effect.flatMap(Deferred.await(write.deferred), trackedRecord))
    })

    const untrack = Effect.fn("Tracker.untrack")(function*(sessionId: string) {
      yield* Effect.annotateCurrentSpan("bankconnect.session_id", sessionId)
      const entry = entries.get(sessionId)
      if (entry !== undefined) {
        entry.status = REMOVED
        heap.remove(entry)
        entries.delete(sessionId)
      }
      const deferred = yield* Deferred.make<TrackerStore.WriteResult, TrackerStoreError>()
      enqueue({ _tag: "Untrack", deferred, write: { _tag: "Untrack", sessionId, at: now() } })
      const result = yield* Deferred.await(deferred).pipe(
        Effect.tapError(() =>
          Effect.sync(() => {
            // not stored: the session is still tracked, so it is polled again
            if (entry !== undefined && !entries.has(sessionId)) {
              entries.set(sessionId, entry)
              schedule(entry, now())
            }
          })
        )
      )
      return result._tag === "Untrack" && result.untracked
    })

    const get = Effect.fn("Tracker.get")(function*(sessionId: string) {
      const stored = yield* store.get(sessionId)
      return Option.isNone(stored) ? Option.none() : Option.some(yield* Records.toTrackedSession(stored.value))
    })

    const list = Effect.fn("Tracker.list")(function*(listOptions?: Tracker.ListOptions) {
      const limit = Math.min(1000, Math.max(1, Math.floor(listOptions?.limit ?? 100)))
      const records = yield* store.list({ state: listOptions?.state, after: listOptions?.after, limit })
      const sessions = yield* Effect.forEach(records, Records.toTrackedSession)
      return {
        sessions,
        next: records.length === limit ? records[records.length - 1]!.sessionId : undefined
      } satisfies Tracker.Page
    })

    const notTracked = (sessionId: string) =>
      new NotTracked({ sessionId, message: `Session ${sessionId} is not tracked` })

    const fromOutcome = (
      outcome: TrackerEvent.Outcome
    ): Effect.Effect<TrackerEvent.Completed, BankConnectError.BankConnectError | TrackingTimeout> => {
      switch (outcome._tag) {
        case "Completed":
          return Effect.succeed(outcome)
        case "Failed":
          return Effect.fail(outcome.error)
        case "TimedOut":
          return Effect.fail(
            new TrackingTimeout({
              sessionId: outcome.sessionId,
              deadline: outcome.deadline,
              message: `Session ${outcome.sessionId} did not complete by ${DateTime.formatIso(outcome.deadline)}`
            })
          )
      }
    }

    const awaitCompletion = Effect.fn("Tracker.awaitCompletion")(function*(sessionId: string) {
      yield* Effect.annotateCurrentSpan("bankconnect.session_id", sessionId)
      const deferred = yield* Deferred.make<TrackerEvent.Outcome, NotTracked>()
      let set = waiters.get(sessionId)
      if (set === undefined) {
        set = new Set()
        waiters.set(sessionId, set)
      }
      set.add(deferred)
      const unregister = Effect.sync(() => {
        const current = waiters.get(sessionId)
        current?.delete(deferred)
        if (current?.size === 0) waiters.delete(sessionId)
      })
      const outcome = yield* Effect.gen(function*() {
        const stored = yield* store.get(sessionId)
        if (Option.isNone(stored) || stored.value.state === "untracked") return yield* notTracked(sessionId)
        if (stored.value.state !== "tracking") {
          const session = yield* Records.toTrackedSession(stored.value)
          if (session.outcome !== null) return session.outcome
        }
        return yield* Deferred.await(deferred)
      }).pipe(Effect.ensuring(unregister))
      return yield* fromOutcome(outcome)
    })

    const onEvent = Effect.fn("Tracker.onEvent")(function*(event: WebhookPayload.Event) {
      if (event._tag !== "EnrichmentNotification") return
      const entry = entries.get(event.session_id)
      if (entry === undefined) {
        // another replica may hold it: wake it (an id no session can have wakes no one)
        const notify = lease?.coordination.wake
        if (notify !== undefined && checkSessionId(event.session_id) === undefined) {
          yield* notify(event.session_id).pipe(
            Effect.catchAll((error) =>
              Effect.logWarning(`Tracker: waking the replica of a session failed: ${error.message}`)
            )
          )
        }
        return
      }
      yield* Effect.annotateCurrentSpan("bankconnect.session_id", entry.sessionId)
      if (entry.webhook === undefined) entry.webhook = event
      wake(entry.sessionId)
    })

    const attachReceiver = Effect.acquireRelease(
      Effect.sync(() => {
        receivers++
      }),
      () =>
        Effect.sync(() => {
          receivers--
        })
    )

    const stats = Effect.sync((): Tracker.Stats => ({
      tracking: entries.size,
      inFlight: busy,
      pendingWrites: queue.length,
      pausedUntil: pausedUntil > now() ? Option.some(DateTime.unsafeMake(pausedUntil)) : Option.none(),
      receivers,
      interval: Duration.millis(currentInterval())
    }))

    return {
      track,
      trackAll,
      untrack,
      get,
      list,
      awaitCompletion,
      events: Stream.fromPubSub(pubsub),
      onEvent,
      attachReceiver,
      stats,
      // one process keeps its receiver's own (in memory, with its fast path)
      dedupe: lease === undefined ? undefined : store.coordination?.dedupe
    } satisfies Tracker.Service
  })
