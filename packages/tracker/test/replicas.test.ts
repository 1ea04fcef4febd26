import { WebhookPayload } from "@effect-bankconnect/client"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Scope from "effect/Scope"
import type { Tracker, TrackerEvent } from "../src/index.js"
import { TrackerStore } from "../src/index.js"
import * as Fleet from "./utils/fleet.js"
import * as Transport from "./utils/transport.js"

// Replicas of a tracker on one store, under the TestClock: the memory store's leases are
// the same contract as Postgres's (test/leases.test.ts), so what is decided here (shares,
// take-overs, fencing, the shared pause, wake-ups, one delivery per event) is the
// tracker's part, without real time.

const processing = Transport.withStatus((call) => Transport.progress(call.sessionId, "processing"))
const ids = (n: number) => Array.from({ length: n }, (_, i) => `s-${String(i).padStart(3, "0")}`)
const interval = 2000
const leaseTtl = 10_000

const replica = <E = never, R = never>(
  store: TrackerStore.Service,
  id: string,
  options: {
    readonly script?: (call: Transport.Call) => Transport.Answer
    readonly tracker?: Tracker.Options<E, R>
  } = {}
) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const made = yield* Fleet.make({
      script: options.script ?? processing,
      store,
      tracker: { interval, ...options.tracker, replica: { id, leaseTtl } }
    }).pipe(Scope.extend(scope))
    return { ...made, scope }
  })

/** The store, with `retire` a no-op: a replica stopped on it dies as if killed, leases held. */
const crashing = (store: TrackerStore.Service): TrackerStore.Service => ({
  ...store,
  coordination: { ...store.coordination!, retire: () => Effect.void }
})

/** Every progress poll of every replica, in time order, with who sent it. */
const polls = (
  replicas: ReadonlyArray<{ readonly id: string; readonly transport: ReturnType<typeof Transport.make> }>
) =>
  replicas.flatMap(({ id, transport }) =>
    transport.calls.filter((call) => call.path === "progress").map((call) => ({ ...call, replica: id }))
  ).sort((a, b) => a.at - b.at)

/** Sessions polled by two replicas less than one interval apart. */
const overlaps = (all: ReturnType<typeof polls>) => {
  const last = new Map<string, { readonly at: number; readonly replica: string }>()
  const found: Array<string> = []
  for (const call of all) {
    const previous = last.get(call.sessionId)
    if (previous !== undefined && previous.replica !== call.replica && call.at - previous.at < interval) {
      found.push(`${call.sessionId}: ${previous.replica}@${previous.at} then ${call.replica}@${call.at}`)
    }
    last.set(call.sessionId, call)
  }
  return found
}

describe("Tracker replicas", () => {
  it.scoped("share the fleet: each replica polls about its share, each session one replica at a time", () =>
    Effect.gen(function*() {
      const store = TrackerStore.makeMemory({ retainAcknowledged: true })
      const a = yield* replica(store, "a")
      yield* a.tracker.trackAll(ids(90).map((sessionId) => ({ sessionId })))
      yield* Fleet.advance(4000, 500)
      expect((yield* a.tracker.stats).tracking).toBe(90)
      const b = yield* replica(store, "b")
      const c = yield* replica(store, "c")
      yield* Fleet.advance(12_000, 250)
      const shares = [
        (yield* a.tracker.stats).tracking,
        (yield* b.tracker.stats).tracking,
        (yield* c.tracker.stats).tracking
      ]
      expect(shares.reduce((x, y) => x + y, 0)).toBe(90)
      for (const share of shares) expect(share).toBeGreaterThanOrEqual(25)
      const all = polls([{ id: "a", ...a }, { id: "b", ...b }, { id: "c", ...c }])
      expect(overlaps(all)).toEqual([])
      // every session keeps its cadence through the hand-over: polled in the last interval
      const recent = new Set(all.filter((call) => call.at > all.at(-1)!.at - interval - 100).map((c) => c.sessionId))
      expect(recent.size).toBe(90)
    }))

  it.scoped("a replica that dies: the others take its sessions within the lease TTL and one interval", () =>
    Effect.gen(function*() {
      const store = TrackerStore.makeMemory({ retainAcknowledged: true })
      const a = yield* replica(crashing(store), "a")
      const b = yield* replica(store, "b")
      yield* a.tracker.trackAll(ids(40).map((sessionId) => ({ sessionId })))
      yield* Fleet.advance(10_000, 250)
      const heldByA = new Set(
        a.transport.calls.filter((call) => call.at > 8000).map((call) => call.sessionId)
      )
      expect(heldByA.size).toBeGreaterThan(5)
      const killedAt = 10_000
      yield* Scope.close(a.scope, Exit.void)
      yield* Fleet.advance(leaseTtl + 2 * interval, 250)
      for (const sessionId of heldByA) {
        const first = b.transport.callsOf(sessionId).find((call) => call.at > killedAt)
        expect(first, sessionId).toBeDefined()
        expect(first!.at - killedAt).toBeLessThanOrEqual(leaseTtl + interval)
      }
      expect((yield* b.tracker.stats).tracking).toBe(40)
      expect(overlaps(polls([{ id: "a", ...a }, { id: "b", ...b }]))).toEqual([])
    }))

  it.scoped("a replica cut off from the store stops polling before its leases run out, and cannot write after", () =>
    Effect.gen(function*() {
      const store = TrackerStore.makeMemory({ retainAcknowledged: true })
      let cutOff = false
      const failing: TrackerStore.Service = {
        ...store,
        coordination: {
          ...store.coordination!,
          renew: (query) =>
            cutOff
              ? Effect.fail(new (class extends Error {})("cut off") as never)
              : store.coordination!.renew(query)
        }
      }
      let completeAfter = Infinity
      const script = Transport.withStatus((call) =>
        Transport.progress(call.sessionId, call.at >= completeAfter ? "completed" : "processing")
      )
      const a = yield* replica(failing, "a", { script })
      yield* a.tracker.track("s-1")
      yield* Fleet.advance(6000, 250)
      cutOff = true
      const cutAt = 6000
      yield* Fleet.advance(leaseTtl, 250)
      const lastByA = a.transport.callsOf("s-1").at(-1)!.at
      expect(lastByA).toBeLessThan(cutAt + leaseTtl)
      // b claims it once the lease ran out; a, renewed again, has lost it
      const b = yield* replica(store, "b", { script })
      completeAfter = cutAt + leaseTtl + 4000
      yield* Fleet.advance(8000, 250)
      cutOff = false
      yield* Fleet.advance(4000, 250)
      expect((yield* a.tracker.stats).tracking).toBe(0)
      const completed = (yield* Fleet.storedEvents(store, "s-1")).filter((tag) => tag === "Completed")
      expect(completed).toHaveLength(1)
      expect(overlaps(polls([{ id: "a", ...a }, { id: "b", ...b }]))).toEqual([])
    }))

  it.scoped("a 429 on one replica pauses them all; a webhook on one wakes the replica that polls the session", () =>
    Effect.gen(function*() {
      const store = TrackerStore.makeMemory({ retainAcknowledged: true })
      let limited = false
      const script = (call: Transport.Call) => limited ? Transport.rateLimited(20) : processing(call)
      const a = yield* replica(store, "a", { script })
      const b = yield* replica(store, "b", { script: processing })
      yield* a.tracker.trackAll(ids(20).map((sessionId) => ({ sessionId })))
      yield* Fleet.advance(12_000, 250)
      const bHolds = (yield* b.tracker.stats).tracking
      expect(bHolds).toBeGreaterThan(5)
      limited = true
      yield* Fleet.advance(3000, 250)
      limited = false
      const pausedAt = a.transport.calls.find((call) => call.at >= 12_000)!.at
      yield* Fleet.advance(10_000, 250)
      // b stopped within one lease round of a's 429, and resumed after the 20 s
      const bDuringPause = b.transport.calls.filter((call) =>
        call.at > pausedAt + interval && call.at < pausedAt + 20_000
      )
      expect(bDuringPause).toEqual([])
      expect((yield* a.tracker.stats).pausedUntil._tag).toBe("Some")
      yield* Fleet.advance(15_000, 250)
      expect(b.transport.calls.some((call) => call.at >= pausedAt + 20_000)).toBe(true)

      // a webhook for one of b's sessions, delivered to a
      const sessionOfB = b.transport.calls.at(-1)!.sessionId
      const before = b.transport.callsOf(sessionOfB).length
      const at = (yield* Effect.clock).unsafeCurrentTimeMillis()
      yield* a.tracker.onEvent(
        yield* WebhookPayload.decode({ event_name: "ENRICHMENT_NOTIFICATION", session_id: sessionOfB, accounts: [] })
      )
      yield* Fleet.advance(10, 10)
      const woken = b.transport.callsOf(sessionOfB).slice(before)
      expect(woken.length).toBeGreaterThan(0)
      expect(woken[0]!.at - at).toBeLessThanOrEqual(10)
    }))

  it.scoped("awaitCompletion on one replica gives the outcome of a session another replica polls", () =>
    Effect.gen(function*() {
      const store = TrackerStore.makeMemory({ retainAcknowledged: true })
      const script = Transport.withStatus((call) =>
        Transport.progress(call.sessionId, call.at >= 5000 ? "completed" : "processing")
      )
      const a = yield* replica(store, "a", { script })
      const b = yield* replica(store, "b", { script })
      yield* a.tracker.track("s-1")
      yield* Fleet.advance(1000, 250)
      const waiting = yield* Effect.fork(b.tracker.awaitCompletion("s-1"))
      yield* Fleet.advance(10_000, 250)
      const completed = yield* Fiber.join(waiting)
      expect(completed._tag).toBe("Completed")
      expect(b.transport.callsOf("s-1")).toEqual([])
    }))

  it.scoped("every event is handled by one replica, once, whichever replica wrote it", () =>
    Effect.gen(function*() {
      const store = TrackerStore.makeMemory({ retainAcknowledged: true })
      const handled: Array<{ readonly id: string; readonly replica: string }> = []
      const script = Transport.withStatus((call) =>
        Transport.progress(call.sessionId, call.at >= 9000 ? "completed" : "processing")
      )
      const handler = (replicaId: string) => (event: TrackerEvent.TrackerEvent) =>
        Effect.sync(() => {
          handled.push({ id: event.id, replica: replicaId })
        })
      const a = yield* replica(store, "a", { script, tracker: { handler: handler("a") } })
      yield* replica(store, "b", { script, tracker: { handler: handler("b") } })
      yield* a.tracker.trackAll(ids(30).map((sessionId) => ({ sessionId })))
      yield* Fleet.advance(20_000, 250)
      const counts = yield* store.outboxCounts
      expect(counts.pending).toBe(0)
      const byId = new Map<string, number>()
      for (const { id } of handled) byId.set(id, (byId.get(id) ?? 0) + 1)
      expect([...byId.values()].every((n) => n === 1)).toBe(true)
      expect(byId.size).toBe(counts.acknowledged)
      expect(handled.filter((h) => h.id.endsWith(":1"))).toHaveLength(30)
      expect(new Set(handled.map((h) => h.replica)).size).toBe(2)
    }))
})
