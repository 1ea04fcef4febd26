import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as Intervals from "effect/ScheduleIntervals"
import * as TrackerEvent from "../TrackerEvent.js"
import type * as TrackerStore from "../TrackerStore.js"
import type { Signal } from "./signal.js"

/** @internal */
export interface Options<E, R> {
  readonly store: TrackerStore.Service
  readonly handler: (event: TrackerEvent.TrackerEvent) => Effect.Effect<void, E, R>
  readonly concurrency: number
  readonly retry: Schedule.Schedule<unknown, unknown>
  /** Notified when events are written. */
  readonly signal: Signal
  readonly clock: Clock.Clock
  readonly pageSize: number
  /** A replica's delivery leases: it delivers the events of the sessions it claims. */
  readonly lease?: {
    readonly owner: string
    readonly ttl: number
    readonly coordination: TrackerStore.Coordination
    /** How often it looks for events other replicas left (written elsewhere, or orphaned). */
    readonly tick: number
  } | undefined
}

interface Blocked {
  readonly until: number
  readonly state: unknown
}

/**
 * Delivers the outbox's pending events to the handler, forever: a round reads every
 * pending event in outbox order, a page at a time, runs the handler for each session's
 * events in order (sessions side by side, `concurrency` at a time), and acknowledges what
 * succeeded, one transaction per page. A failed event blocks its session until the retry
 * schedule's next delay; its later events wait behind it. Rounds start when events are
 * written and when a blocked session is due again. The outbox is the only queue: after a
 * restart, the first round finds whatever was not acknowledged.
 *
 * @internal
 */
export const run = <E, R>(options: Options<E, R>): Effect.Effect<never, never, R> =>
  Effect.gen(function*() {
    const { clock, pageSize, retry, signal, store } = options
    const blocked = new Map<string, Blocked>()

    /** Runs one session's events of a page in order; stops at the first that fails. */
    const deliverSession = (events: ReadonlyArray<TrackerStore.EventRecord>, acks: Array<string>) =>
      Effect.gen(function*() {
        for (const record of events) {
          const exit = yield* Effect.exit(
            Effect.suspend(() => options.handler(TrackerEvent.decodeJson(record.payload)))
          )
          if (Exit.isSuccess(exit)) {
            acks.push(record.id)
            blocked.delete(record.sessionId)
            continue
          }
          const now = clock.unsafeCurrentTimeMillis()
          const previous = blocked.get(record.sessionId)
          const failure = Cause.squash(exit.cause)
          let [state, , decision] = yield* retry.step(now, failure, previous?.state ?? retry.initial)
          if (ScheduleDecision.isDone(decision)) {
            // the schedule is done: it starts over
            ;[state, , decision] = yield* retry.step(now, failure, retry.initial)
          }
          const until = ScheduleDecision.isDone(decision)
            ? now + 60_000
            : Math.max(now, Intervals.start(decision.intervals))
          blocked.set(record.sessionId, { until, state })
          yield* Effect.logWarning(
            `Tracker: the handler failed for event ${record.id} (${record.tag}); it runs again in ${until - now} ms`
          ).pipe(
            Effect.annotateLogs({ "bankconnect.session_id": record.sessionId, "tracker.event_id": record.id }),
            Effect.annotateLogs("cause", Cause.pretty(exit.cause))
          )
          return
        }
      })

    /** Groups a page by session, leaving out the blocked ones; gives when the earliest is due. */
    const group = (page: ReadonlyArray<TrackerStore.EventRecord>, now: number) => {
      let wakeAt = Infinity
      const sessions = new Map<string, Array<TrackerStore.EventRecord>>()
      for (const record of page) {
        const block = blocked.get(record.sessionId)
        if (block !== undefined && block.until > now) {
          wakeAt = Math.min(wakeAt, block.until)
          continue
        }
        const events = sessions.get(record.sessionId)
        if (events === undefined) sessions.set(record.sessionId, [record])
        else events.push(record)
      }
      return { sessions, wakeAt }
    }

    /**
     * One round of a replica: claims the sessions with pending events that no other
     * replica is delivering, delivers, and gives back the leases of those it finished.
     */
    const leasedRound = (lease: NonNullable<Options<E, R>["lease"]>) =>
      Effect.gen(function*() {
        let wakeAt = Infinity
        for (let rounds = 0; rounds < 100; rounds++) {
          const claimedAt = clock.unsafeCurrentTimeMillis()
          const page = yield* lease.coordination.claimDeliveries({
            owner: lease.owner,
            now: claimedAt,
            until: claimedAt + lease.ttl,
            limit: pageSize
          })
          if (page.length === 0) break
          const grouped = group(page, claimedAt)
          wakeAt = Math.min(wakeAt, grouped.wakeAt)
          for (const events of grouped.sessions.values()) events.sort((a, b) => a.seq - b.seq)
          // each session acknowledged and given back as soon as its events are handled, and none
          // started once the claim's lease is nearly out (another replica may have it by then)
          const startBy = claimedAt + Math.floor(lease.ttl / 2)
          const done: Array<string> = []
          yield* Effect.forEach(grouped.sessions.values(), (events) =>
            Effect.gen(function*() {
              if (clock.unsafeCurrentTimeMillis() > startBy) return
              const acks: Array<string> = []
              yield* deliverSession(events, acks)
              if (acks.length > 0) yield* store.acknowledge(acks, clock.unsafeCurrentTimeMillis())
              const sessionId = events[0]!.sessionId
              const block = blocked.get(sessionId)
              if (block === undefined) {
                done.push(sessionId)
                yield* lease.coordination.releaseDeliveries(lease.owner, [sessionId])
              } else {
                // failing: given back until its retry, so that it holds no claim meanwhile and
                // the sessions behind it are claimed
                yield* lease.coordination.releaseDeliveries(lease.owner, [sessionId], block.until)
              }
            }), { concurrency: options.concurrency, discard: true })
          // a full page may have more behind it; one with nothing delivered would only repeat
          if (done.length === 0 || new Set(page.map((event) => event.sessionId)).size < pageSize) break
        }
        return Math.min(wakeAt, clock.unsafeCurrentTimeMillis() + lease.tick)
      })

    /** One round; gives when the earliest blocked session is due again. */
    const round = options.lease !== undefined ? leasedRound(options.lease) : Effect.gen(function*() {
      let after: TrackerStore.EventCursor | undefined = undefined
      let wakeAt = Infinity
      while (true) {
        const page: ReadonlyArray<TrackerStore.EventRecord> = yield* store.pendingEvents({ after, limit: pageSize })
        if (page.length === 0) break
        const last = page[page.length - 1]!
        after = { createdAt: last.createdAt, sessionId: last.sessionId, seq: last.seq }
        const now = clock.unsafeCurrentTimeMillis()
        const sessions = new Map<string, Array<TrackerStore.EventRecord>>()
        for (const record of page) {
          const block = blocked.get(record.sessionId)
          if (block !== undefined && block.until > now) {
            wakeAt = Math.min(wakeAt, block.until)
            continue
          }
          const events = sessions.get(record.sessionId)
          if (events === undefined) sessions.set(record.sessionId, [record])
          else events.push(record)
        }
        const acks: Array<string> = []
        // a session's events in their order, whatever their times say
        for (const events of sessions.values()) events.sort((a, b) => a.seq - b.seq)
        yield* Effect.forEach(sessions.values(), (events) => deliverSession(events, acks), {
          concurrency: options.concurrency,
          discard: true
        })
        for (const sessionId of sessions.keys()) {
          const block = blocked.get(sessionId)
          if (block !== undefined) wakeAt = Math.min(wakeAt, block.until)
        }
        if (acks.length > 0) yield* store.acknowledge(acks, clock.unsafeCurrentTimeMillis())
        if (page.length < pageSize) break
      }
      return wakeAt
    })

    while (true) {
      const exit = yield* Effect.exit(round)
      if (Exit.isFailure(exit)) {
        if (Cause.isInterruptedOnly(exit.cause)) return yield* Effect.interrupt
        // the store failed: what was not acknowledged runs again (at least once)
        yield* Effect.logWarning("Tracker: delivering events failed; retrying in 1 s").pipe(
          Effect.annotateLogs("cause", Cause.pretty(exit.cause))
        )
        yield* Effect.sleep(1000)
        continue
      }
      const wakeAt = exit.value
      if (wakeAt === Infinity) yield* signal.wait
      else yield* signal.waitAtMost(wakeAt - clock.unsafeCurrentTimeMillis())
    }
  })
