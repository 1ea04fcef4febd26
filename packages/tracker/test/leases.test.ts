import * as PgClient from "@effect/sql-pg/PgClient"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { SqlTrackerStore, TrackerStore } from "../src/index.js"
import { type Postgres, startPostgres } from "./utils/postgres.js"

// The leases replicas share a fleet with, on each SQL store: claims, renewals, fencing,
// the shared pause and the delivery leases; on Postgres, claims racing from several pools.

const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "tracker-leases-"))
let postgres: Postgres | undefined
beforeAll(async () => {
  postgres = await startPostgres()
}, 60_000)
afterAll(async () => {
  await postgres?.stop()
  Fs.rmSync(dir, { recursive: true, force: true })
})
let opened = 0

type Open = () => Effect.Effect<TrackerStore.Service, unknown, Scope.Scope>

const build = (layer: Layer.Layer<TrackerStore.TrackerStore, unknown>) =>
  Effect.map(Layer.build(layer), (context) => Context.get(context, TrackerStore.TrackerStore))

/** A second handle on the same database: what another replica would open. */
const pgStore = (prefix: string) =>
  build(
    SqlTrackerStore.layer({ tablePrefix: prefix }).pipe(
      Layer.provide(PgClient.layer({ url: Redacted.make(postgres!.url), maxConnections: 4 }))
    )
  )

const stores: ReadonlyArray<readonly [string, () => readonly [Open, Open]]> = [
  ["memory", () => {
    const store = TrackerStore.makeMemory({ retainAcknowledged: true })
    const open: Open = () => Effect.succeed(store)
    return [open, open]
  }],
  ["libsql file", () => {
    const url = `file:${Path.join(dir, `leases-${++opened}.db`)}`
    const open: Open = () => build(SqlTrackerStore.layerLibsql({ url }))
    return [open, open]
  }],
  ["postgres", () => {
    const prefix = `leases_${++opened}_`
    return [() => pgStore(prefix), () => pgStore(prefix)]
  }]
]

const track = (sessionId: string, at = 0, lease?: TrackerStore.Lease): TrackerStore.Track => ({
  _tag: "Track",
  sessionId,
  reference: null,
  deadline: null,
  at,
  lease,
  tracked: (seq) => ({
    id: `${sessionId}:${seq}`,
    sessionId,
    seq,
    tag: "Tracked",
    payload: "{}",
    createdAt: at,
    acknowledgedAt: null
  })
})

const coordination = (store: TrackerStore.Service) => {
  const leases = store.coordination
  if (leases === undefined) throw new Error("no coordination")
  return leases
}

const ids = (records: ReadonlyArray<{ readonly sessionId: string }>) => records.map((r) => r.sessionId).sort()

describe.each(stores)("leases: %s", (_, open) => {
  it.scoped("a free session is claimed by one replica, until its lease runs out", () =>
    Effect.gen(function*() {
      const [openA, openB] = open()
      const a = yield* openA()
      const b = yield* openB()
      yield* a.write(["s-1", "s-2", "s-3"].map((id) => track(id)))
      const first = yield* coordination(a).claim({ owner: "a", now: 1000, until: 31_000, limit: 2 })
      expect(first).toHaveLength(2)
      expect(first.every((record) => record.owner === "a" && record.leaseUntil === 31_000)).toBe(true)
      const second = yield* coordination(b).claim({ owner: "b", now: 1000, until: 61_000, limit: 10 })
      expect(ids(second)).toEqual(["s-1", "s-2", "s-3"].filter((id) => !ids(first).includes(id)))
      expect(yield* coordination(b).claim({ owner: "b", now: 30_000, until: 60_000, limit: 10 })).toEqual([])
      // a's leases run out: b takes them
      const taken = yield* coordination(b).claim({ owner: "b", now: 31_001, until: 61_001, limit: 10 })
      expect(ids(taken)).toEqual(ids(first))
      // ended sessions are never claimed
      expect(Option.getOrThrow(yield* a.get("s-1")).owner).toBe("b")
    }))

  it.scoped("a replica renews what it holds and learns the fleet's size, the replicas alive and the pause", () =>
    Effect.gen(function*() {
      const [openA, openB] = open()
      const a = yield* openA()
      const b = yield* openB()
      yield* a.write([track("s-1", 0, { owner: "a", until: 100 }), track("s-2", 0, { owner: "b", until: 100 })])
      yield* a.write([track("s-3")])
      const renewedB = yield* coordination(b).renew({ owner: "b", now: 50, until: 5000, replicaTtl: 1000 })
      expect(renewedB).toEqual({ owned: ["s-2"], replicas: 1, tracking: 3, pausedUntil: 0 })
      yield* coordination(a).pause(4000)
      yield* coordination(b).pause(3000)
      const renewedA = yield* coordination(a).renew({ owner: "a", now: 500, until: 5000, replicaTtl: 1000 })
      expect(renewedA).toEqual({ owned: ["s-1"], replicas: 2, tracking: 3, pausedUntil: 4000 })
      // b is not seen within the TTL: not counted
      const later = yield* coordination(a).renew({ owner: "a", now: 1200, until: 5000, replicaTtl: 1000 })
      expect(later.replicas).toBe(1)
      expect(Option.getOrThrow(yield* a.get("s-2")).leaseUntil).toBe(5000)
    }))

  it.scoped("a replica that lost a session's lease cannot write it", () =>
    Effect.gen(function*() {
      const [openA] = open()
      const a = yield* openA()
      yield* a.write([track("s-1", 0, { owner: "a", until: 100 })])
      yield* coordination(a).claim({ owner: "b", now: 200, until: 5000, limit: 10 })
      const record = Option.getOrThrow(yield* a.get("s-1"))
      const update = (owner: string, seq: number): TrackerStore.Update => ({
        _tag: "Update",
        owner,
        session: { ...record, eventSeq: seq, progress: owner },
        events: [{
          id: `s-1:${seq}`,
          sessionId: "s-1",
          seq,
          tag: "ProgressChanged",
          payload: "{}",
          createdAt: 300,
          acknowledgedAt: null
        }]
      })
      expect(yield* a.write([update("a", 2)])).toEqual([{ _tag: "Update", applied: false }])
      expect(yield* a.write([update("b", 2)])).toEqual([{ _tag: "Update", applied: true }])
      const stored = Option.getOrThrow(yield* a.get("s-1"))
      // the lease stays the holder's
      expect(stored).toMatchObject({ progress: "b", owner: "b", leaseUntil: 5000, eventSeq: 2 })
    }))

  it.scoped("leases given back, or a replica retired, are free at once", () =>
    Effect.gen(function*() {
      const [openA] = open()
      const a = yield* openA()
      yield* a.write(["s-1", "s-2", "s-3"].map((id) => track(id, 0, { owner: "a", until: 10_000 })))
      yield* coordination(a).renew({ owner: "a", now: 0, until: 10_000, replicaTtl: 1000 })
      yield* coordination(a).release("a", ["s-1"])
      expect(ids(yield* coordination(a).claim({ owner: "b", now: 10, until: 10_000, limit: 10 }))).toEqual(["s-1"])
      yield* coordination(a).retire("a")
      expect(ids(yield* coordination(a).claim({ owner: "b", now: 10, until: 10_000, limit: 10 }))).toEqual([
        "s-2",
        "s-3"
      ])
      const renewal = yield* coordination(a).renew({ owner: "b", now: 20, until: 10_000, replicaTtl: 1000 })
      expect(renewal).toMatchObject({ owned: ["s-1", "s-2", "s-3"], replicas: 1 })
    }))

  it.scoped("each session's pending events are delivered by one replica at a time", () =>
    Effect.gen(function*() {
      const [openA, openB] = open()
      const a = yield* openA()
      const b = yield* openB()
      yield* a.write(["s-1", "s-2"].map((id) => track(id)))
      const claimedA = yield* coordination(a).claimDeliveries({ owner: "a", now: 0, until: 1000, limit: 1 })
      expect(claimedA.map((event) => event.id)).toHaveLength(1)
      const claimedB = yield* coordination(b).claimDeliveries({ owner: "b", now: 0, until: 1000, limit: 10 })
      expect(claimedB.map((event) => event.sessionId)).toEqual(
        ["s-1", "s-2"].filter((id) => id !== claimedA[0]!.sessionId)
      )
      // while a holds its session, b claims again only its own
      const againB = yield* coordination(b).claimDeliveries({ owner: "b", now: 500, until: 1000, limit: 10 })
      expect(againB.map((event) => event.id)).toEqual(claimedB.map((event) => event.id))
      expect(yield* coordination(a).claimDeliveries({ owner: "a", now: 500, until: 1500, limit: 10 })).toHaveLength(1)
      // acknowledged and given back: nothing is pending
      yield* a.acknowledge(claimedA.map((event) => event.id), 600)
      yield* coordination(a).releaseDeliveries("a", [claimedA[0]!.sessionId])
      expect(yield* coordination(a).claimDeliveries({ owner: "a", now: 700, until: 1700, limit: 10 })).toEqual([])
      // b's lease runs out unacknowledged (b died mid-handler): a takes the event over
      const retaken = yield* coordination(a).claimDeliveries({ owner: "a", now: 1001, until: 2001, limit: 10 })
      expect(retaken.map((event) => event.id)).toEqual(claimedB.map((event) => event.id))
    }))
})

describe.each(stores)("webhook dedupe shared by replicas: %s", (_, open) => {
  it.scoped("one claim per key: busy while held, handled once added, free again if released or lapsed", () =>
    Effect.gen(function*() {
      const [openA, openB] = open()
      const a = coordination(yield* openA()).dedupe!
      const b = coordination(yield* openB()).dedupe!
      expect(yield* a.claim!("k-1")).toBe("new")
      expect(yield* b.claim!("k-1")).toBe("busy")
      expect(yield* b.has("k-1")).toBe(false)
      yield* a.add("k-1")
      expect(yield* b.claim!("k-1")).toBe("handled")
      expect(yield* b.has("k-1")).toBe(true)
      expect(yield* b.claim!("k-2")).toBe("new")
      yield* b.release!("k-2")
      expect(yield* a.claim!("k-2")).toBe("new")
      // a claim lapses after a minute (its receiver died): the next copy is handled
      yield* TestClock.adjust("61 seconds")
      expect(yield* b.claim!("k-2")).toBe("new")
      expect(yield* a.claim!("k-1")).toBe("handled")
    }))
})

describe("leases on Postgres", () => {
  it.scoped("claims racing from four pools take every session exactly once", () =>
    Effect.gen(function*() {
      const prefix = `race_${++opened}_`
      const replicas = yield* Effect.all([pgStore(prefix), pgStore(prefix), pgStore(prefix), pgStore(prefix)])
      const sessionIds = Array.from({ length: 1000 }, (_, i) => `s-${String(i).padStart(4, "0")}`)
      yield* replicas[0]!.write(sessionIds.map((id) => track(id)))
      const claimed = yield* Effect.all(
        replicas.map((store, i) =>
          Effect.gen(function*() {
            const mine: Array<string> = []
            while (true) {
              const batch = yield* coordination(store).claim({ owner: `r${i}`, now: 0, until: 60_000, limit: 37 })
              if (batch.length === 0) return mine
              for (const record of batch) mine.push(record.sessionId)
            }
          })
        ),
        { concurrency: "unbounded" }
      )
      const all = claimed.flat()
      expect(all).toHaveLength(1000)
      expect(new Set(all).size).toBe(1000)
      // every replica got some: SKIP LOCKED let them claim side by side
      expect(claimed.filter((mine) => mine.length > 0).length).toBeGreaterThan(1)
    }), 60_000)
})
