/**
 * The tracker's store on Postgres, through `@effect/sql-pg`: the engine for several
 * replicas of a tracker sharing one fleet (`Tracker.Options.replica`). The same tables,
 * migrations and behaviour as `SqlTrackerStore` on libsql, plus what replicas need of
 * Postgres: row locks (`FOR UPDATE SKIP LOCKED`) so that claims and writes of different
 * replicas never build on the same rows at once, and `LISTEN` / `NOTIFY` so that a
 * webhook taken by any replica wakes the replica polling its session.
 *
 * Imported on its own, `@effect-bankconnect/tracker/PgTrackerStore` (not from the package
 * root), since it needs `@effect/sql-pg`, an optional peer dependency.
 *
 * @example
 * ```ts
 * import { Tracker } from "@effect-bankconnect/tracker"
 * import * as PgTrackerStore from "@effect-bankconnect/tracker/PgTrackerStore"
 * import { Layer, Redacted } from "effect"
 *
 * // one of several replicas: each polls its share of the fleet
 * export const TrackerLive = Tracker.layer({ replica: { leaseTtl: "30 seconds" } }).pipe(
 *   Layer.provide(PgTrackerStore.layer({ url: Redacted.make("postgres://tracker@db.internal/lending") }))
 * )
 * ```
 *
 * @since 0.3.0
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import * as Internal from "./internal/sqlStore.js"
import type * as SqlTrackerStore from "./SqlTrackerStore.js"
import { TrackerStoreError } from "./TrackerError.js"
import * as TrackerStore from "./TrackerStore.js"

/**
 * The store over the `PgClient` in context, after running the migrations that have not
 * run yet (replicas starting together run them once, under the Migrator's lock).
 *
 * @since 0.3.0
 * @category constructors
 */
export const make = (
  options?: SqlTrackerStore.Options
): Effect.Effect<TrackerStore.Service, TrackerStoreError, PgClient.PgClient> =>
  Effect.flatMap(PgClient.PgClient, (pg) =>
    Internal.make({
      ...options,
      notifications: {
        // `pg_notify` takes the payload as a parameter (`NOTIFY` itself takes only a literal)
        notify: (channel, payload) => Effect.asVoid(pg`SELECT pg_notify(${channel}, ${payload})`),
        listen: pg.listen
      }
    }).pipe(Effect.provideService(SqlClient.SqlClient, pg)))

/**
 * {@link make} as a layer over the `PgClient` in context.
 *
 * @since 0.3.0
 * @category layers
 */
export const layerClient = (
  options?: SqlTrackerStore.Options
): Layer.Layer<TrackerStore.TrackerStore, TrackerStoreError, PgClient.PgClient> =>
  Layer.effect(TrackerStore.TrackerStore, make(options))

/**
 * The Postgres store's settings: the database and the pool.
 *
 * @since 0.3.0
 * @category models
 */
export interface Options extends SqlTrackerStore.Options {
  /** `postgres://user:password@host:5432/database`; a secret, since it may hold a password. */
  readonly url: Redacted.Redacted<string>
  /** The most connections in the pool. Default 10 (one more is held for `LISTEN`). */
  readonly maxConnections?: number | undefined
  /** How long to wait for a connection. Default `"10 seconds"`. */
  readonly connectTimeout?: Duration.DurationInput | undefined
  /** Shown in `pg_stat_activity`. Default `"bankconnect-tracker"`. */
  readonly applicationName?: string | undefined
}

const connectError = (error: SqlError.SqlError) =>
  new TrackerStoreError({
    operation: "connect",
    message: `TrackerStore connect failed: ${error.message}`,
    cause: error
  })

/**
 * The store on Postgres with its own pool (`@effect/sql-pg`). The pool reconnects by
 * itself: after a lost connection or a Postgres restart, the next statements run on new
 * connections, and the tracker retries what failed meanwhile.
 *
 * @since 0.3.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<TrackerStore.TrackerStore, TrackerStoreError> =>
  layerClient(options.tablePrefix === undefined ? undefined : { tablePrefix: options.tablePrefix }).pipe(
    Layer.provide(
      PgClient.layer({
        url: options.url,
        maxConnections: options.maxConnections ?? 10,
        connectTimeout: options.connectTimeout ?? "10 seconds",
        applicationName: options.applicationName ?? "bankconnect-tracker"
      }).pipe(Layer.mapError(connectError))
    )
  )

/**
 * The database URL read from `Config`: `BANKCONNECT_TRACKER_DATABASE_URL`, as a secret.
 *
 * @since 0.3.0
 * @category config
 */
export const config: Config.Config<Redacted.Redacted<string>> = Config.redacted("BANKCONNECT_TRACKER_DATABASE_URL")

/**
 * {@link layer} with its URL read from {@link config}.
 *
 * @since 0.3.0
 * @category layers
 */
export const layerConfig = (
  options?: Omit<Options, "url">
): Layer.Layer<TrackerStore.TrackerStore, TrackerStoreError | ConfigError.ConfigError> =>
  Layer.unwrapEffect(Effect.map(config, (url) => layer({ ...options, url })))
