import type * as WebhookReceiver from "@effect-bankconnect/client/WebhookReceiver"
import * as Migrator from "@effect/sql/Migrator"
import * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
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
  /** Messages between the processes sharing the database (Postgres `LISTEN` / `NOTIFY`). */
  readonly notifications?: Notifications | undefined
}

/** @internal */
export interface Notifications {
  readonly notify: (channel: string, payload: string) => Effect.Effect<void, SqlError.SqlError>
  readonly listen: (channel: string) => Stream.Stream<string, SqlError.SqlError>
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
  }),
  "2_leases_for_replicas": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const sessions = sql(`${prefix}sessions`)
    yield* sql`ALTER TABLE ${sessions} ADD COLUMN owner TEXT`
    yield* sql`ALTER TABLE ${sessions} ADD COLUMN lease_until BIGINT`
    yield* sql`ALTER TABLE ${sessions} ADD COLUMN delivery_owner TEXT`
    yield* sql`ALTER TABLE ${sessions} ADD COLUMN delivery_until BIGINT`
    yield* sql`CREATE INDEX ${sql(`${prefix}sessions_lease`)} ON ${sessions} (lease_until) WHERE state = 'tracking'`
    yield* sql`CREATE INDEX ${sql(`${prefix}sessions_owner`)} ON ${sessions} (owner) WHERE owner IS NOT NULL`
    yield* sql`CREATE TABLE ${sql(`${prefix}replicas`)} (
  replica_id TEXT PRIMARY KEY,
  seen_at BIGINT NOT NULL
)`
    yield* sql`CREATE TABLE ${sql(`${prefix}fleet`)} (
  name VARCHAR(32) PRIMARY KEY,
  value BIGINT NOT NULL
)`
    yield* sql`CREATE TABLE ${sql(`${prefix}webhooks`)} (
  dedupe_key TEXT PRIMARY KEY,
  state VARCHAR(16) NOT NULL,
  until_at BIGINT NOT NULL,
  received_at BIGINT NOT NULL
)`
    yield* sql`CREATE INDEX ${sql(`${prefix}webhooks_received`)} ON ${sql(`${prefix}webhooks`)} (received_at)`
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
    // replicas starting together race to create the Migrator's table: the loser runs again
    // and finds it (the migrations themselves run under the Migrator's lock)
    Effect.retry({ times: 3, schedule: Schedule.spaced("200 millis") }),
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
  readonly owner?: string | null
  readonly lease_until?: number | string | bigint | null
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
  eventSeq: Number(row.event_seq),
  owner: row.owner ?? null,
  leaseUntil: row.lease_until === null || row.lease_until === undefined ? null : Number(row.lease_until)
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
  event_seq: record.eventSeq,
  owner: record.owner ?? null,
  lease_until: record.leaseUntil ?? null
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
    const replicas = sql(`${prefix}replicas`)
    const fleet = sql(`${prefix}fleet`)
    const webhooks = sql(`${prefix}webhooks`)
    const isPg = sql.onDialectOrElse({ pg: () => true, orElse: () => false })
    const forUpdate = isPg ? sql` FOR UPDATE` : sql``

    const selectSessions = (ids: ReadonlyArray<string>) =>
      Effect.map(
        Effect.forEach(
          chunks(ids),
          // on Postgres the rows stay locked until the batch commits, so what was read is
          // what the batch's decisions build on, whatever other replicas do meanwhile
          (chunk) => sql<SessionRow>`SELECT * FROM ${sessions} WHERE ${sql.in("session_id", chunk)}${forUpdate}`
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
  event_seq = excluded.event_seq,
  owner = excluded.owner,
  lease_until = excluded.lease_until`
        }
        for (const chunk of chunks(plan.events)) {
          yield* sql`INSERT INTO ${outbox} ${sql.insert(chunk.map(fromEvent))}`
        }
        return plan.results
      }).pipe(
        sql.withTransaction,
        // once more, at once: two replicas tracking one new session (no row to lock yet) race
        // to insert it, and the loser's batch fails on the key; run again, it reads the row
        Effect.retry({ times: 1 }),
        Effect.mapError(storeError("write"))
      )

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
        // the webhooks handled as long ago: a copy that old is not coming
        yield* sql`DELETE FROM ${webhooks} WHERE received_at < ${before} AND state = 'handled'`
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

    // --- leases, for replicas sharing the database

    const skipLocked = isPg ? sql` FOR UPDATE SKIP LOCKED` : sql``
    const count = (value: number | string | bigint | null | undefined) => Number(value ?? 0)
    const freeLease = (now: number) => sql`(lease_until IS NULL OR lease_until < ${now})`

    const claim: TrackerStore.Coordination["claim"] = ({ limit, now, owner, until }) =>
      // the candidates are picked once (a materialized CTE: as a plain subquery, Postgres may
      // run it again per row and claim more than the limit)
      sql<SessionRow>`WITH picked AS MATERIALIZED (
  SELECT session_id FROM ${sessions} WHERE state = 'tracking' AND ${freeLease(now)}
  LIMIT ${Math.max(0, Math.floor(limit))}${skipLocked}
)
UPDATE ${sessions} SET owner = ${owner}, lease_until = ${until}
WHERE session_id IN (SELECT session_id FROM picked) AND state = 'tracking' AND ${freeLease(now)}
RETURNING *`.pipe(
        Effect.map((rows) => rows.map(toSession)),
        Effect.mapError(storeError("claim"))
      )

    const renew: TrackerStore.Coordination["renew"] = ({ now, owner, replicaTtl, until }) =>
      Effect.gen(function*() {
        yield* sql`INSERT INTO ${replicas} (replica_id, seen_at) VALUES (${owner}, ${now})
ON CONFLICT (replica_id) DO UPDATE SET seen_at = excluded.seen_at`
        // replicas gone long since (killed: a clean stop removes its own row)
        yield* sql`DELETE FROM ${replicas} WHERE seen_at < ${now - 10 * replicaTtl}`
        const owned = yield* sql<{ readonly session_id: string }>`UPDATE ${sessions} SET lease_until = ${until}
WHERE owner = ${owner} AND state = 'tracking' RETURNING session_id`
        const [row] = yield* sql<{
          readonly replicas: number | string | bigint
          readonly tracking: number | string | bigint
          readonly paused_until: number | string | bigint | null
        }>`SELECT
  (SELECT COUNT(*) FROM ${replicas} WHERE seen_at >= ${now - replicaTtl}) AS replicas,
  (SELECT COUNT(*) FROM ${sessions} WHERE state = 'tracking') AS tracking,
  (SELECT value FROM ${fleet} WHERE name = 'paused_until') AS paused_until`
        return {
          owned: owned.map((row) => row.session_id),
          replicas: Math.max(1, count(row?.replicas)),
          tracking: count(row?.tracking),
          pausedUntil: count(row?.paused_until)
        }
      }).pipe(Effect.mapError(storeError("renew")))

    const release: TrackerStore.Coordination["release"] = (owner, ids, freeAt) =>
      (ids === undefined
        ? sql`UPDATE ${sessions} SET owner = NULL, lease_until = ${freeAt ?? null} WHERE owner = ${owner}`
        : Effect.forEach(
          chunks(ids),
          (chunk) =>
            sql`UPDATE ${sessions} SET owner = NULL, lease_until = ${freeAt ?? null} WHERE owner = ${owner} AND ${
              sql.in("session_id", chunk)
            }`,
          { discard: true }
        )).pipe(Effect.asVoid, Effect.mapError(storeError("release")))

    const retire: TrackerStore.Coordination["retire"] = (owner, freeAt) =>
      Effect.all([
        sql`UPDATE ${sessions} SET owner = NULL, lease_until = ${freeAt ?? null} WHERE owner = ${owner}`,
        sql`UPDATE ${sessions} SET delivery_owner = NULL, delivery_until = NULL WHERE delivery_owner = ${owner}`,
        sql`DELETE FROM ${replicas} WHERE replica_id = ${owner}`
      ], { discard: true }).pipe(sql.withTransaction, Effect.mapError(storeError("retire")))

    const pause: TrackerStore.Coordination["pause"] = (until) =>
      sql`INSERT INTO ${fleet} (name, value) VALUES ('paused_until', ${until})
ON CONFLICT (name) DO UPDATE SET value = CASE WHEN excluded.value > ${fleet}.value THEN excluded.value ELSE ${fleet}.value END`
        .pipe(Effect.asVoid, Effect.mapError(storeError("pause")))

    const freeDelivery = (owner: string, now: number) =>
      sql`(delivery_until IS NULL OR delivery_until < ${now} OR delivery_owner = ${owner})`

    const claimDeliveries: TrackerStore.Coordination["claimDeliveries"] = ({ limit, now, owner, until }) =>
      Effect.gen(function*() {
        const claimed = yield* sql<{ readonly session_id: string }>`WITH picked AS MATERIALIZED (
  SELECT o.session_id FROM ${outbox} o JOIN ${sessions} s ON s.session_id = o.session_id
  WHERE o.acknowledged_at IS NULL
    AND (s.delivery_until IS NULL OR s.delivery_until < ${now} OR s.delivery_owner = ${owner})
  GROUP BY o.session_id ORDER BY MIN(o.created_at) LIMIT ${Math.max(0, Math.floor(limit))}
)
UPDATE ${sessions} SET delivery_owner = ${owner}, delivery_until = ${until}
WHERE session_id IN (SELECT session_id FROM picked) AND ${freeDelivery(owner, now)}
RETURNING session_id`
        if (claimed.length === 0) return []
        const pages = yield* Effect.forEach(
          chunks(claimed.map((row) => row.session_id)),
          (chunk) =>
            sql<EventRow>`SELECT * FROM ${outbox} WHERE acknowledged_at IS NULL AND ${
              sql.in("session_id", chunk)
            } ORDER BY session_id, seq`
        )
        return pages.flat().map(toEvent)
      }).pipe(Effect.mapError(storeError("claimDeliveries")))

    const releaseDeliveries: TrackerStore.Coordination["releaseDeliveries"] = (owner, ids, freeAt) =>
      Effect.forEach(
        chunks(ids),
        (chunk) =>
          sql`UPDATE ${sessions} SET delivery_owner = NULL, delivery_until = ${
            freeAt ?? null
          } WHERE delivery_owner = ${owner} AND ${sql.in("session_id", chunk)}`,
        { discard: true }
      ).pipe(Effect.mapError(storeError("releaseDeliveries")))

    // --- the webhook receivers' dedupe, shared: a claim is a row, taken atomically

    const claimMillis = 60_000
    const dedupe: WebhookReceiver.DedupeStore = {
      has: (key) =>
        sql<{ readonly state: string }>`SELECT state FROM ${webhooks} WHERE dedupe_key = ${key}`.pipe(
          Effect.map((rows) => rows[0]?.state === "handled"),
          Effect.orElseSucceed(() => false)
        ),
      claim: (key) =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const taken = yield* sql`INSERT INTO ${webhooks} (dedupe_key, state, until_at, received_at)
VALUES (${key}, 'handling', ${now + claimMillis}, ${now})
ON CONFLICT (dedupe_key) DO UPDATE SET until_at = excluded.until_at, received_at = excluded.received_at
WHERE ${webhooks}.state = 'handling' AND ${webhooks}.until_at < excluded.received_at
RETURNING dedupe_key`
          if (taken.length > 0) return "new" as const
          const [row] = yield* sql<{ readonly state: string }>`SELECT state FROM ${webhooks} WHERE dedupe_key = ${key}`
          return row?.state === "handled" ? "handled" as const : "busy" as const
        }).pipe(
          // the store unreachable: the sender delivers again later
          Effect.catchAll((error) =>
            Effect.as(
              Effect.logWarning(`TrackerStore: claiming a webhook delivery failed: ${error.message}`),
              "busy" as const
            )
          )
        ),
      add: (key) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          sql`INSERT INTO ${webhooks} (dedupe_key, state, until_at, received_at) VALUES (${key}, 'handled', ${now}, ${now})
ON CONFLICT (dedupe_key) DO UPDATE SET state = 'handled'`).pipe(
            // not marked: the claim lapses, and a later copy is handled again (at least once)
            Effect.catchAll((error) =>
              Effect.logWarning(`TrackerStore: marking a webhook delivery handled failed: ${error.message}`)
            ),
            Effect.asVoid
          ),
      release: (key) =>
        sql`DELETE FROM ${webhooks} WHERE dedupe_key = ${key} AND state = 'handling'`.pipe(
          Effect.catchAll(() =>
            Effect.void
          ),
          Effect.asVoid
        )
    }

    const notifications = options.notifications
    const wakeChannel = `${prefix}wake`
    const coordination: TrackerStore.Coordination = {
      claim,
      renew,
      release,
      retire,
      pause,
      claimDeliveries,
      releaseDeliveries,
      dedupe,
      wake: notifications === undefined
        ? undefined
        : (sessionId) => notifications.notify(wakeChannel, sessionId).pipe(Effect.mapError(storeError("wake"))),
      wakes: notifications === undefined
        ? undefined
        : notifications.listen(wakeChannel).pipe(Stream.mapError(storeError("wakes")))
    }

    return { write, get, list, pendingEvents, acknowledge, events, pruneAcknowledged, outboxCounts, coordination }
  })
