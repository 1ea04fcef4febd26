import * as LibsqlClient from "@effect/sql-libsql/LibsqlClient"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { SqlTrackerStore, TrackerStore } from "../src/index.js"
import { type Postgres, startPostgres } from "./utils/postgres.js"

const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "tracker-store-"))
afterAll(() => Fs.rmSync(dir, { recursive: true, force: true }))
let files = 0
const freshFile = () => `file:${Path.join(dir, `store-${++files}.db`)}`

let postgres: Postgres | undefined
beforeAll(async () => {
  postgres = await startPostgres()
}, 60_000)
afterAll(() => postgres?.stop())
let prefixes = 0

/** A store on the test's Postgres, in tables of its own. */
const openPg = () =>
  Effect.map(
    Layer.build(
      SqlTrackerStore.layer({ tablePrefix: `store_${++prefixes}_` }).pipe(
        Layer.provide(PgClient.layer({ url: Redacted.make(postgres!.url), maxConnections: 4 }))
      )
    ),
    (context) => Context.get(context, TrackerStore.TrackerStore)
  )

const openLibsql = (url: string, options?: Omit<SqlTrackerStore.LibsqlOptions, "url">) =>
  Effect.map(
    Layer.build(SqlTrackerStore.layerLibsql({ url, ...options })),
    (context) => Context.get(context, TrackerStore.TrackerStore)
  )

type MakeStore = () => Effect.Effect<TrackerStore.Service, unknown, Scope.Scope>

const stores: ReadonlyArray<readonly [string, MakeStore]> = [
  ["memory", () => Effect.sync(() => TrackerStore.makeMemory({ retainAcknowledged: true }))],
  ["libsql file", () => openLibsql(freshFile())],
  ["libsql :memory:", () => openLibsql(":memory:")],
  ["postgres", openPg]
]

const event = (
  sessionId: string,
  seq: number,
  createdAt: number,
  tag = "ProgressChanged"
): TrackerStore.EventRecord => ({
  id: `${sessionId}:${seq}`,
  sessionId,
  seq,
  tag,
  payload: JSON.stringify({ seq }),
  createdAt,
  acknowledgedAt: null
})

const track = (sessionId: string, at = 0, options?: { reference?: string; deadline?: number }): TrackerStore.Track => ({
  _tag: "Track",
  sessionId,
  reference: options?.reference ?? null,
  deadline: options?.deadline ?? null,
  at,
  tracked: (seq) => event(sessionId, seq, at, "Tracked")
})

const record = (
  sessionId: string,
  eventSeq: number,
  changes: Partial<TrackerStore.SessionRecord> = {}
): TrackerStore.SessionRecord => ({
  sessionId,
  reference: null,
  state: "tracking",
  trackedAt: 0,
  updatedAt: 0,
  deadline: null,
  progress: null,
  outcome: null,
  eventSeq,
  owner: null,
  leaseUntil: null,
  ...changes
})

describe.each(stores)("TrackerStore contract: %s", (_, makeStore) => {
  it.scoped("tracking creates the record with its Tracked event, once", () =>
    Effect.gen(function*() {
      const store = yield* makeStore()
      const [first, second] = yield* store.write([
        track("s-1", 10, { reference: "app-1", deadline: 5000 }),
        track("s-1", 11, { reference: "other" })
      ])
      expect(first).toMatchObject({ _tag: "Track", event: { id: "s-1:1", tag: "Tracked" } })
      expect(second).toMatchObject({ _tag: "Track", event: undefined, record: { reference: "app-1" } })
      const [third] = yield* store.write([track("s-1", 12)])
      expect(third).toMatchObject({ _tag: "Track", event: undefined })
      const stored = Option.getOrThrow(yield* store.get("s-1"))
      expect(stored).toEqual(record("s-1", 1, { reference: "app-1", deadline: 5000, trackedAt: 10, updatedAt: 10 }))
      expect((yield* store.events("s-1")).map((e) => e.id)).toEqual(["s-1:1"])
      expect(Option.isNone(yield* store.get("s-2"))).toBe(true)
    }))

  it.scoped("an update applies to a tracking record with a higher event number, with its events", () =>
    Effect.gen(function*() {
      const store = yield* makeStore()
      yield* store.write([track("s-1")])
      const [applied] = yield* store.write([{
        _tag: "Update",
        session: record("s-1", 2, { progress: "{\"a\":1}", updatedAt: 5 }),
        events: [event("s-1", 2, 5)]
      }])
      expect(applied).toEqual({ _tag: "Update", applied: true })
      // a stale change (a lower number) is ignored, and its events are not written
      const [stale] = yield* store.write([{
        _tag: "Update",
        session: record("s-1", 1, { progress: "stale" }),
        events: [event("s-1", 3, 6)]
      }])
      expect(stale).toEqual({ _tag: "Update", applied: false })
      // the same change again (a batch retried after its commit's answer was lost): it stands,
      // as written, and nothing is written twice
      const [again] = yield* store.write([{
        _tag: "Update",
        session: record("s-1", 2, { progress: "{\"a\":1}", updatedAt: 5 }),
        events: [event("s-1", 2, 5)]
      }])
      expect(again).toEqual({ _tag: "Update", applied: true })
      const [ended] = yield* store.write([{
        _tag: "Update",
        session: record("s-1", 3, { state: "completed", outcome: "{}", updatedAt: 7 }),
        events: [event("s-1", 3, 7, "Completed")]
      }])
      expect(ended).toEqual({ _tag: "Update", applied: true })
      // once ended, no change applies
      const [late] = yield* store.write([{ _tag: "Update", session: record("s-1", 9), events: [event("s-1", 9, 8)] }])
      expect(late).toEqual({ _tag: "Update", applied: false })
      expect(Option.getOrThrow(yield* store.get("s-1"))).toEqual(
        record("s-1", 3, { state: "completed", outcome: "{}", updatedAt: 7, progress: null })
      )
      expect((yield* store.events("s-1")).map((e) => e.tag)).toEqual(["Tracked", "ProgressChanged", "Completed"])
      // an unknown session is not created by an update
      const [unknown] = yield* store.write([{ _tag: "Update", session: record("s-9", 2), events: [] }])
      expect(unknown).toEqual({ _tag: "Update", applied: false })
      expect(Option.isNone(yield* store.get("s-9"))).toBe(true)
    }))

  it.scoped("untrack marks the record untracked and moves its event number on; tracking again starts afresh", () =>
    Effect.gen(function*() {
      const store = yield* makeStore()
      yield* store.write([track("s-1", 0, { reference: "old" })])
      const [untracked] = yield* store.write([{ _tag: "Untrack", sessionId: "s-1", at: 20 }])
      expect(untracked).toMatchObject({ _tag: "Untrack", untracked: true, previous: { state: "tracking" } })
      expect(Option.getOrThrow(yield* store.get("s-1"))).toMatchObject({
        state: "untracked",
        eventSeq: 2,
        updatedAt: 20
      })
      const [again] = yield* store.write([{ _tag: "Untrack", sessionId: "s-1", at: 21 }])
      expect(again).toMatchObject({ untracked: false })
      const [missing] = yield* store.write([{ _tag: "Untrack", sessionId: "nope", at: 21 }])
      expect(missing).toEqual({ _tag: "Untrack", previous: undefined, untracked: false })
      // a change computed before the untrack does not apply after it
      const [stale] = yield* store.write([{ _tag: "Update", session: record("s-1", 2), events: [event("s-1", 2, 22)] }])
      expect(stale).toEqual({ _tag: "Update", applied: false })
      const [retracked] = yield* store.write([track("s-1", 30, { reference: "new" })])
      expect(retracked).toMatchObject({
        event: { id: "s-1:3" },
        record: { state: "tracking", reference: "new", eventSeq: 3 }
      })
      expect((yield* store.events("s-1")).map((e) => e.id)).toEqual(["s-1:1", "s-1:3"])
    }))

  it.scoped("a batch is all or nothing", () =>
    Effect.gen(function*() {
      const store = yield* makeStore()
      yield* store.write([track("s-1")])
      const failed = yield* store.write([
        track("s-2"),
        // the event id s-1:1 is in the outbox already
        { _tag: "Update", session: record("s-1", 5), events: [event("s-1", 1, 3)] }
      ]).pipe(Effect.flip)
      expect(failed._tag).toBe("TrackerStoreError")
      expect(Option.isNone(yield* store.get("s-2"))).toBe(true)
      expect(Option.getOrThrow(yield* store.get("s-1")).eventSeq).toBe(1)
    }))

  it.scoped("pending events come in outbox order, a page at a time, until acknowledged", () =>
    Effect.gen(function*() {
      const store = yield* makeStore()
      yield* store.write([track("b", 1), track("a", 1), track("c", 2)])
      yield* store.write([
        { _tag: "Update", session: record("b", 3), events: [event("b", 2, 1), event("b", 3, 1)] },
        { _tag: "Update", session: record("a", 2), events: [event("a", 2, 3)] }
      ])
      const expected = ["a:1", "b:1", "b:2", "b:3", "c:1", "a:2"]
      const seen: Array<string> = []
      let after: TrackerStore.EventCursor | undefined = undefined
      while (true) {
        const page: ReadonlyArray<TrackerStore.EventRecord> = yield* store.pendingEvents({ after, limit: 4 })
        if (page.length === 0) break
        for (const e of page) seen.push(e.id)
        const last = page[page.length - 1]!
        after = { createdAt: last.createdAt, sessionId: last.sessionId, seq: last.seq }
      }
      expect(seen).toEqual(expected)
      expect(yield* store.outboxCounts).toEqual({ pending: 6, acknowledged: 0 })
      yield* store.acknowledge(["b:2", "a:1"], 100)
      yield* store.acknowledge(["b:2"], 200)
      expect((yield* store.pendingEvents({ limit: 10 })).map((e) => e.id)).toEqual(["b:1", "b:3", "c:1", "a:2"])
      expect(yield* store.outboxCounts).toEqual({ pending: 4, acknowledged: 2 })
      // acknowledging again keeps the first time
      const b = yield* store.events("b")
      expect(b.map((e) => [e.id, e.acknowledgedAt])).toEqual([["b:1", null], ["b:2", 100], ["b:3", null]])
      expect(yield* store.pruneAcknowledged(100)).toBe(0)
      expect(yield* store.pruneAcknowledged(101)).toBe(2)
      expect(yield* store.outboxCounts).toEqual({ pending: 4, acknowledged: 0 })
      expect((yield* store.events("a")).map((e) => e.id)).toEqual(["a:2"])
    }))

  it.scoped("lists sessions by id, a page at a time, of one state", () =>
    Effect.gen(function*() {
      const store = yield* makeStore()
      const ids = Array.from({ length: 450 }, (_, i) => `s-${String(i).padStart(3, "0")}`)
      // one batch over the statements' row limits
      yield* store.write(ids.map((id) => track(id)))
      yield* store.write(
        ids.filter((_, i) => i % 3 === 0).map((id): TrackerStore.Write => ({
          _tag: "Update",
          session: record(id, 2, { state: "completed" }),
          events: []
        }))
      )
      const all = yield* store.list({ limit: 1000 })
      expect(all.map((r) => r.sessionId)).toEqual(ids)
      const pages: Array<string> = []
      let after: string | undefined = undefined
      while (true) {
        const page: ReadonlyArray<TrackerStore.SessionRecord> = yield* store.list({
          state: "tracking",
          after,
          limit: 70
        })
        for (const r of page) pages.push(r.sessionId)
        if (page.length < 70) break
        after = page[page.length - 1]!.sessionId
      }
      expect(pages).toEqual(ids.filter((_, i) => i % 3 !== 0))
      expect(yield* store.list({ state: "completed", limit: 1000 })).toHaveLength(150)
      expect(yield* store.list({ state: "failed", limit: 10 })).toEqual([])
    }))
})

describe("TrackerStore.makeMemory", () => {
  it.effect("by default drops an event once acknowledged, keeping only the pending ones", () =>
    Effect.gen(function*() {
      const store = TrackerStore.makeMemory()
      yield* store.write([track("s-1"), track("s-2")])
      yield* store.write([{
        _tag: "Update",
        session: record("s-1", 2),
        events: [{ ...event("s-1", 2, 1), acknowledgedAt: 1 }]
      }])
      expect(yield* store.outboxCounts).toEqual({ pending: 2, acknowledged: 0 })
      yield* store.acknowledge(["s-1:1"], 2)
      expect(yield* store.outboxCounts).toEqual({ pending: 1, acknowledged: 0 })
      expect((yield* store.pendingEvents({ limit: 10 })).map((e) => e.id)).toEqual(["s-2:1"])
      expect(yield* store.events("s-1")).toEqual([])
      expect(Option.getOrThrow(yield* store.get("s-1")).eventSeq).toBe(2)
    }))
})

describe("SqlTrackerStore on libsql", () => {
  it.scoped("keeps everything across a reopen, and runs its migration once", () =>
    Effect.gen(function*() {
      const url = freshFile()
      yield* Effect.scoped(Effect.gen(function*() {
        const store = yield* openLibsql(url)
        yield* store.write([track("s-1", 0, { reference: "app-1" })])
      }))
      const store = yield* openLibsql(url)
      expect(Option.getOrThrow(yield* store.get("s-1")).reference).toBe("app-1")
      expect((yield* store.pendingEvents({ limit: 10 })).map((e) => e.id)).toEqual(["s-1:1"])
      const migrations = yield* Effect.flatMap(
        SqlClient.SqlClient,
        (sql) =>
          sql<
            { readonly migration_id: number; readonly name: string }
          >`SELECT migration_id, name FROM bankconnect_tracker_migrations`
      ).pipe(Effect.provide(LibsqlClient.layer({ url })))
      expect(migrations.map((m) => [Number(m.migration_id), m.name])).toEqual([
        [1, "create_sessions_and_outbox"],
        [2, "leases_for_replicas"]
      ])
      const mode = yield* Effect.flatMap(
        SqlClient.SqlClient,
        (sql) => sql<{ journal_mode: string }>`PRAGMA journal_mode`
      )
        .pipe(Effect.provide(LibsqlClient.layer({ url })))
      expect(mode[0]!.journal_mode).toBe("wal")
    }))

  it.scoped("table prefixes keep two stores apart in one database", () =>
    Effect.gen(function*() {
      const url = freshFile()
      const a = yield* openLibsql(url, { tablePrefix: "fleet_a_" })
      const b = yield* openLibsql(url, { tablePrefix: "fleet_b_" })
      yield* a.write([track("s-1")])
      expect(Option.isSome(yield* a.get("s-1"))).toBe(true)
      expect(Option.isNone(yield* b.get("s-1"))).toBe(true)
    }))

  it.scoped("transactions stay on one connection: no file descriptor is left open per transaction", () =>
    Effect.gen(function*() {
      const store = yield* openLibsql(freshFile())
      yield* store.write([track("warm-up")])
      const before = Fs.readdirSync("/proc/self/fd").length
      for (let i = 0; i < 200; i++) yield* store.write([track(`s-${i}`)])
      const after = Fs.readdirSync("/proc/self/fd").length
      expect(after - before).toBeLessThan(5)
      expect(yield* store.list({ limit: 1000 })).toHaveLength(201)
    }))

  it.effect("fails with TrackerStoreError when the database cannot be opened", () =>
    Effect.gen(function*() {
      const error = yield* Effect.scoped(openLibsql(`file:${Path.join(dir, "missing", "dir", "x.db")}`)).pipe(
        Effect.flip
      )
      expect(error).toMatchObject({ _tag: "TrackerStoreError" })
    }))

  it.effect("refuses a table prefix that is not an identifier", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.scoped(openLibsql(":memory:", { tablePrefix: "x; DROP TABLE y" })).pipe(Effect.exit)
      expect(exit._tag).toBe("Failure")
    }))
})
