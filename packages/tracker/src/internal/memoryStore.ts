import type * as WebhookReceiver from "@effect-bankconnect/client/WebhookReceiver"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import * as Stream from "effect/Stream"
import { TrackerStoreError } from "../TrackerError.js"
import type * as TrackerStore from "../TrackerStore.js"
import * as Writes from "./writes.js"

/** @internal */
export interface Options {
  readonly retainAcknowledged?: boolean | undefined
}

/** @internal */
export const make = (options?: Options): TrackerStore.Service => {
  const retain = options?.retainAcknowledged === true
  const sessions = new Map<string, TrackerStore.SessionRecord>()
  const events = new Map<string, TrackerStore.EventRecord>()
  /** Pending events; sorted into outbox order and rid of acknowledged ones when read. */
  let pending: Array<TrackerStore.EventRecord> = []
  let pendingDirty = false

  const pendingInOrder = () => {
    if (pendingDirty) {
      pending = pending.filter((event) => events.get(event.id)?.acknowledgedAt === null)
      pending.sort(Writes.compareEvents)
      pendingDirty = false
    }
    return pending
  }

  const write = (writes: ReadonlyArray<TrackerStore.Write>) =>
    Effect.suspend(() => {
      const plan = Writes.plan(writes, (sessionId) => sessions.get(sessionId))
      // as a database's primary key would: an event id written twice fails the whole batch
      const ids = new Set<string>()
      for (const event of plan.events) {
        if (events.has(event.id) || ids.has(event.id)) {
          return Effect.fail(
            new TrackerStoreError({
              operation: "write",
              message: `TrackerStore write failed: the event ${event.id} is in the outbox already`
            })
          )
        }
        ids.add(event.id)
      }
      for (const record of plan.records.values()) sessions.set(record.sessionId, record)
      for (const event of plan.events) {
        if (event.acknowledgedAt === null) {
          events.set(event.id, event)
          pending.push(event)
          pendingDirty = true
        } else if (retain) {
          events.set(event.id, event)
        }
      }
      return Effect.succeed(plan.results)
    })

  const list = (query: TrackerStore.ListQuery) =>
    Effect.sync(() => {
      const after = query.after
      const matching: Array<TrackerStore.SessionRecord> = []
      for (const record of sessions.values()) {
        if (query.state !== undefined && record.state !== query.state) continue
        if (after !== undefined && record.sessionId <= after) continue
        matching.push(record)
      }
      matching.sort((a, b) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0))
      return matching.slice(0, Math.max(0, query.limit))
    })

  const pendingEvents = (query: { readonly after?: TrackerStore.EventCursor | undefined; readonly limit: number }) =>
    Effect.sync(() => {
      const ordered = pendingInOrder()
      const page: Array<TrackerStore.EventRecord> = []
      for (const event of ordered) {
        if (page.length >= query.limit) break
        if (query.after !== undefined && Writes.compareEvents(event, query.after) <= 0) continue
        page.push(event)
      }
      return page
    })

  const acknowledge = (ids: ReadonlyArray<string>, at: number) =>
    Effect.sync(() => {
      for (const id of ids) {
        const event = events.get(id)
        if (event !== undefined && event.acknowledgedAt === null) {
          if (retain) events.set(id, { ...event, acknowledgedAt: at })
          else events.delete(id)
          pendingDirty = true
        }
      }
    })

  const eventsOf = (sessionId: string) =>
    Effect.sync(() => [...events.values()].filter((event) => event.sessionId === sessionId).sort(Writes.compareEvents))

  const pruneAcknowledged = (before: number) =>
    Effect.sync(() => {
      for (const [key, webhook] of webhooks) {
        if (webhook.state === "handled" && webhook.receivedAt < before) webhooks.delete(key)
      }
      let pruned = 0
      for (const [id, event] of events) {
        if (event.acknowledgedAt !== null && event.acknowledgedAt < before) {
          events.delete(id)
          pruned++
        }
      }
      return pruned
    })

  const outboxCounts = Effect.sync(() => {
    let pendingCount = 0
    for (const event of events.values()) if (event.acknowledgedAt === null) pendingCount++
    return { pending: pendingCount, acknowledged: events.size - pendingCount }
  })

  // --- leases, for trackers sharing this store in one process (tests, mostly)

  const replicas = new Map<string, number>()
  const deliveries = new Map<string, TrackerStore.Lease>()
  let pausedUntil = 0
  const wakes = Effect.runSync(PubSub.unbounded<string>())
  const isFree = (record: TrackerStore.SessionRecord, now: number) =>
    record.leaseUntil === null || record.leaseUntil === undefined || record.leaseUntil < now
  const setLease = (record: TrackerStore.SessionRecord, owner: string | null, until: number | null) => {
    const leased = { ...record, owner, leaseUntil: until }
    sessions.set(record.sessionId, leased)
    return leased
  }

  const webhooks = new Map<string, { state: "handling" | "handled"; until: number; receivedAt: number }>()
  const dedupe: WebhookReceiver.DedupeStore = {
    has: (key) => Effect.sync(() => webhooks.get(key)?.state === "handled"),
    claim: (key) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const found = webhooks.get(key)
        if (found === undefined || (found.state === "handling" && found.until < now)) {
          webhooks.set(key, { state: "handling", until: now + 60_000, receivedAt: now })
          return "new" as const
        }
        return found.state === "handled" ? "handled" as const : "busy" as const
      }),
    add: (key) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        webhooks.set(key, { state: "handled", until: now, receivedAt: webhooks.get(key)?.receivedAt ?? now })
      }),
    release: (key) =>
      Effect.sync(() => {
        if (webhooks.get(key)?.state === "handling") webhooks.delete(key)
      })
  }

  const coordination: TrackerStore.Coordination = {
    dedupe,
    claim: ({ limit, now, owner, until }) =>
      Effect.sync(() => {
        const claimed: Array<TrackerStore.SessionRecord> = []
        for (const record of sessions.values()) {
          if (claimed.length >= limit) break
          if (record.state === "tracking" && isFree(record, now)) claimed.push(setLease(record, owner, until))
        }
        return claimed
      }),
    renew: ({ now, owner, replicaTtl, until }) =>
      Effect.sync(() => {
        replicas.set(owner, now)
        for (const [id, seenAt] of replicas) if (seenAt < now - 10 * replicaTtl) replicas.delete(id)
        const owned: Array<string> = []
        let tracking = 0
        for (const record of sessions.values()) {
          if (record.state !== "tracking") continue
          tracking++
          if (record.owner === owner) {
            setLease(record, owner, until)
            owned.push(record.sessionId)
          }
        }
        let alive = 0
        for (const seenAt of replicas.values()) if (seenAt >= now - replicaTtl) alive++
        return { owned, replicas: Math.max(1, alive), tracking, pausedUntil }
      }),
    release: (owner, ids, freeAt) =>
      Effect.sync(() => {
        for (const record of ids === undefined ? [...sessions.values()] : ids.map((id) => sessions.get(id))) {
          if (record !== undefined && record.owner === owner) setLease(record, null, freeAt ?? null)
        }
      }),
    retire: (owner, freeAt) =>
      Effect.sync(() => {
        for (const record of sessions.values()) if (record.owner === owner) setLease(record, null, freeAt ?? null)
        for (const [sessionId, lease] of deliveries) if (lease.owner === owner) deliveries.delete(sessionId)
        replicas.delete(owner)
      }),
    pause: (until) =>
      Effect.sync(() => {
        pausedUntil = Math.max(pausedUntil, until)
      }),
    claimDeliveries: ({ limit, now, owner, until }) =>
      Effect.sync(() => {
        const claimed = new Set<string>()
        for (const event of pendingInOrder()) {
          if (claimed.size >= limit) break
          if (events.get(event.id)?.acknowledgedAt !== null || claimed.has(event.sessionId)) continue
          const lease = deliveries.get(event.sessionId)
          if (lease !== undefined && lease.until >= now && lease.owner !== owner) continue
          claimed.add(event.sessionId)
          deliveries.set(event.sessionId, { owner, until })
        }
        return pendingInOrder()
          .filter((event) => claimed.has(event.sessionId) && events.get(event.id)?.acknowledgedAt === null)
          .sort((a, b) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : a.seq - b.seq))
      }),
    releaseDeliveries: (owner, ids, freeAt) =>
      Effect.sync(() => {
        for (const sessionId of ids) {
          if (deliveries.get(sessionId)?.owner !== owner) continue
          if (freeAt === undefined) deliveries.delete(sessionId)
          // held by no one until then
          else deliveries.set(sessionId, { owner: "", until: freeAt - 1 })
        }
      }),
    wake: (sessionId) => Effect.asVoid(PubSub.publish(wakes, sessionId)),
    wakes: Stream.fromPubSub(wakes)
  }

  return {
    coordination,
    write,
    get: (sessionId) => Effect.sync(() => Option.fromNullable(sessions.get(sessionId))),
    list,
    pendingEvents,
    acknowledge,
    events: eventsOf,
    pruneAcknowledged,
    outboxCounts
  }
}
