import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as TrackedSession from "../TrackedSession.js"
import { TrackerStoreError } from "../TrackerError.js"
import type * as TrackerStore from "../TrackerStore.js"
import * as Writes from "./writes.js"

// Plain SQL that SQLite and Postgres both run: TEXT, BIGINT and INTEGER columns, partial
// indexes, `INSERT ... ON CONFLICT ... DO UPDATE` with `excluded`, no row values, no
// RETURNING, no dialect branches. Times are epoch milliseconds in BIGINT columns (a
// driver that reads BIGINT as a string is read through `Number`).

/** @internal */
export interface Options {
  /** Prefixes the tables and indexes; letters, digits and underscores. */
  readonly tablePrefix?: string | undefined
}

/** @internal */
export const defaultTablePrefix = "bankconnect_tracker_"

/** The largest number of rows one statement writes or names (9 columns a row at most). */
const chunkSize = 200

const chunks = <A>(items: ReadonlyArray<A>): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += chunkSize) out.push(items.slice(i, i + chunkSize))
  return out
}

/** @internal */
export const checkPrefix = (prefix: string): string | undefined =>
  /^[A-Za-z_][A-Za-z0-9_]{0,40}$/.test(prefix)
    ? undefined
    : `tablePrefix must be letters, digits and underscores (at most 41), starting with a letter or underscore; got ${
      JSON.stringify(prefix)
    }`

/**
 * The migrations, in order. Each runs once per database, in the Migrator's transaction;
 * the Migrator records them in `<prefix>migrations`.
 *
 * @internal
 */
export const migrations = (
  prefix: string
): Record<string, Effect.Effect<void, SqlError.SqlError, SqlClient.SqlClient>> => ({
  "1_create_sessions_and_outbox": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE ${sql(`${prefix}sessions`)} (
  session_id TEXT PRIMARY KEY,
  reference TEXT,
  state VARCHAR(16) NOT NULL,
  tracked_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  deadline BIGINT,
  progress TEXT,
  outcome TEXT,
  event_seq INTEGER NOT NULL
)`
    yield* sql`CREATE INDEX ${sql(`${prefix}sessions_state`)} ON ${sql(`${prefix}sessions`)} (state, session_id)`
    yield* sql`CREATE TABLE ${sql(`${prefix}outbox`)} (
  event_id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  tag VARCHAR(32) NOT NULL,
  payload TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  acknowledged_at BIGINT
)`
    yield* sql`CREATE INDEX ${sql(`${prefix}outbox_pending`)} ON ${
      sql(`${prefix}outbox`)
    } (created_at, session_id, seq) WHERE acknowledged_at IS NULL`
    yield* sql`CREATE INDEX ${sql(`${prefix}outbox_session`)} ON ${sql(`${prefix}outbox`)} (session_id, seq)`
    yield* sql`CREATE INDEX ${sql(`${prefix}outbox_acknowledged`)} ON ${
      sql(`${prefix}outbox`)
    } (acknowledged_at) WHERE acknowledged_at IS NOT NULL`
  })
})

const storeError = (operation: string) => (cause: SqlError.SqlError | Migrator.MigrationError) =>
  new TrackerStoreError({
    operation,
    message: `TrackerStore ${operation} failed: ${cause.message}`,
    cause
  })

/**
 * Runs the migrations, through `@effect/sql`'s Migrator.
 *
 * @internal
 */
export const migrate = (prefix: string): Effect.Effect<void, TrackerStoreError, SqlClient.SqlClient> =>
  Migrator.make({})({ loader: Migrator.fromRecord(migrations(prefix)), table: `${prefix}migrations` }).pipe(
    Effect.asVoid,
    Effect.mapError(storeError("migrate"))
  )

interface SessionRow {
  readonly session_id: string
  readonly reference: string | null
  readonly state: string
  readonly tracked_at: number | string | bigint
  readonly updated_at: number | string | bigint
  readonly deadline: number | string | bigint | null
  readonly progress: string | null
  readonly outcome: string | null
  readonly event_seq: number | string | bigint
}

interface EventRow {
  readonly event_id: string
  readonly session_id: string
  readonly seq: number | string | bigint
  readonly tag: string
  readonly payload: string
  readonly created_at: number | string | bigint
  readonly acknowledged_at: number | string | bigint | null
}

const toSession = (row: SessionRow): TrackerStore.SessionRecord => ({
  sessionId: row.session_id,
  reference: row.reference,
  state: row.state as TrackedSession.State,
  trackedAt: Number(row.tracked_at),
  updatedAt: Number(row.updated_at),
  deadline: row.deadline === null ? null : Number(row.deadline),
  progress: row.progress,
  outcome: row.outcome,
  eventSeq: Number(row.event_seq)
})

const fromSession = (record: TrackerStore.SessionRecord) => ({
  session_id: record.sessionId,
  reference: record.reference,
  state: record.state,
  tracked_at: record.trackedAt,
  updated_at: record.updatedAt,
  deadline: record.deadline,
  progress: record.progress,
  outcome: record.outcome,
  event_seq: record.eventSeq
})

const toEvent = (row: EventRow): TrackerStore.EventRecord => ({
  id: row.event_id,
  sessionId: row.session_id,
  seq: Number(row.seq),
  tag: row.tag,
  payload: row.payload,
  createdAt: Number(row.created_at),
  acknowledgedAt: row.acknowledged_at === null ? null : Number(row.acknowledged_at)
})

const fromEvent = (event: TrackerStore.EventRecord) => ({
  event_id: event.id,
  session_id: event.sessionId,
  seq: event.seq,
  tag: event.tag,
  payload: event.payload,
  created_at: event.createdAt,
  acknowledged_at: event.acknowledgedAt
})

/**
 * The store over the `SqlClient` in context, after running the migrations. Writes run
 * in `sql.withTransaction`, one transaction per batch.
 *
 * @internal
 */
export const make = (
  options: Options = {}
): Effect.Effect<TrackerStore.Service, TrackerStoreError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const prefix = options.tablePrefix ?? defaultTablePrefix
    const problem = checkPrefix(prefix)
    if (problem !== undefined) return yield* Effect.dieMessage(`SqlTrackerStore: ${problem}`)
    const sql = yield* SqlClient.SqlClient
    yield* migrate(prefix)
    const sessions = sql(`${prefix}sessions`)
    const outbox = sql(`${prefix}outbox`)

    const selectSessions = (ids: ReadonlyArray<string>) =>
      Effect.map(
        Effect.forEach(
          chunks(ids),
          (chunk) => sql<SessionRow>`SELECT * FROM ${sessions} WHERE ${sql.in("session_id", chunk)}`
        ),
        (pages) => {
          const found = new Map<string, TrackerStore.SessionRecord>()
          for (const page of pages) for (const row of page) found.set(row.session_id, toSession(row))
          return found
        }
      )

    const write = (writes: ReadonlyArray<TrackerStore.Write>) =>
      Effect.gen(function*() {
        if (writes.length === 0) return []
        const current = yield* selectSessions(Writes.sessionIds(writes))
        const plan = Writes.plan(writes, (sessionId) => current.get(sessionId))
        for (const chunk of chunks([...plan.records.values()])) {
          yield* sql`INSERT INTO ${sessions} ${sql.insert(chunk.map(fromSession))}
ON CONFLICT (session_id) DO UPDATE SET
  reference = excluded.reference,
  state = excluded.state,
  tracked_at = excluded.tracked_at,
  updated_at = excluded.updated_at,
  deadline = excluded.deadline,
  progress = excluded.progress,
  outcome = excluded.outcome,
  event_seq = excluded.event_seq`
        }
        for (const chunk of chunks(plan.events)) {
          yield* sql`INSERT INTO ${outbox} ${sql.insert(chunk.map(fromEvent))}`
        }
        return plan.results
      }).pipe(sql.withTransaction, Effect.mapError(storeError("write")))

    const get = (sessionId: string) =>
      sql<SessionRow>`SELECT * FROM ${sessions} WHERE session_id = ${sessionId}`.pipe(
        Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), toSession)),
        Effect.mapError(storeError("get"))
      )

    const list = (query: TrackerStore.ListQuery) => {
      const conditions = [
        ...(query.state === undefined ? [] : [sql`state = ${query.state}`]),
        ...(query.after === undefined ? [] : [sql`session_id > ${query.after}`])
      ]
      return sql<SessionRow>`SELECT * FROM ${sessions} ${
        conditions.length === 0 ? sql`` : sql`WHERE ${sql.and(conditions)}`
      } ORDER BY session_id LIMIT ${Math.max(0, Math.floor(query.limit))}`.pipe(
        Effect.map((rows) => rows.map(toSession)),
        Effect.mapError(storeError("list"))
      )
    }

    const pendingEvents = (
      query: { readonly after?: TrackerStore.EventCursor | undefined; readonly limit: number }
    ) => {
      const after = query.after
      const resume = after === undefined
        ? sql``
        : sql`AND (created_at > ${after.createdAt} OR (created_at = ${after.createdAt} AND (session_id > ${after.sessionId} OR (session_id = ${after.sessionId} AND seq > ${after.seq}))))`
      return sql<EventRow>`SELECT * FROM ${outbox} WHERE acknowledged_at IS NULL ${resume}
ORDER BY created_at, session_id, seq LIMIT ${Math.max(0, Math.floor(query.limit))}`.pipe(
        Effect.map((rows) => rows.map(toEvent)),
        Effect.mapError(storeError("pendingEvents"))
      )
    }

    const acknowledge = (ids: ReadonlyArray<string>, at: number) =>
      ids.length === 0 ? Effect.void : Effect.forEach(
        chunks(ids),
        (chunk) =>
          sql`UPDATE ${outbox} SET acknowledged_at = ${at} WHERE acknowledged_at IS NULL AND ${
            sql.in("event_id", chunk)
          }`,
        { discard: true }
      ).pipe(sql.withTransaction, Effect.mapError(storeError("acknowledge")))

    const events = (sessionId: string) =>
      sql<EventRow>`SELECT * FROM ${outbox} WHERE session_id = ${sessionId} ORDER BY created_at, seq`.pipe(
        Effect.map((rows) => rows.map(toEvent)),
        Effect.mapError(storeError("events"))
      )

    const pruneAcknowledged = (before: number) =>
      Effect.gen(function*() {
        const [row] = yield* sql<{ readonly n: number | string | bigint }>`SELECT COUNT(*) AS n FROM ${outbox}
WHERE acknowledged_at IS NOT NULL AND acknowledged_at < ${before}`
        const n = Number(row?.n ?? 0)
        if (n > 0) yield* sql`DELETE FROM ${outbox} WHERE acknowledged_at IS NOT NULL AND acknowledged_at < ${before}`
        return n
      }).pipe(sql.withTransaction, Effect.mapError(storeError("pruneAcknowledged")))

    const outboxCounts = sql<{
      readonly pending: number | string | bigint | null
      readonly acknowledged: number | string | bigint | null
    }>`SELECT
  SUM(CASE WHEN acknowledged_at IS NULL THEN 1 ELSE 0 END) AS pending,
  SUM(CASE WHEN acknowledged_at IS NULL THEN 0 ELSE 1 END) AS acknowledged
FROM ${outbox}`.pipe(
      Effect.map(([row]) => ({ pending: Number(row?.pending ?? 0), acknowledged: Number(row?.acknowledged ?? 0) })),
      Effect.mapError(storeError("outboxCounts"))
    )

    return { write, get, list, pendingEvents, acknowledge, events, pruneAcknowledged, outboxCounts }
  })
