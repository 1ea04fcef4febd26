/**
 * The tracker's store in SQL, through `@effect/sql`: two tables (`<prefix>sessions` and
 * `<prefix>outbox`) created by the Migrator (`<prefix>migrations` records what ran), and
 * one transaction per batch of writes. The SQL is plain (TEXT, BIGINT and INTEGER
 * columns, partial indexes, `INSERT ... ON CONFLICT ... DO UPDATE`), so it runs on SQLite
 * and Postgres alike.
 *
 * The embedded default is SQLite through `@effect/sql-libsql` ({@link layerLibsql}, a
 * `file:` URL), in WAL mode; {@link layer} runs over any `SqlClient` you provide
 * (`@effect/sql-pg`, say).
 *
 * @example
 * ```ts
 * import { SqlTrackerStore, TrackerStore } from "@effect-bankconnect/tracker"
 * import { Effect, Option } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const store = yield* TrackerStore.TrackerStore
 *   return yield* store.get("not-tracked")
 * })
 *
 * const found = await Effect.runPromise(Effect.provide(program, SqlTrackerStore.layerLibsql({ url: ":memory:" })))
 * assert.ok(Option.isNone(found))
 * ```
 *
 * @since 0.3.0
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Libsql from "./internal/libsql.js"
import * as Internal from "./internal/sqlStore.js"
import type { TrackerStoreError } from "./TrackerError.js"
import * as TrackerStore from "./TrackerStore.js"

/**
 * The store's settings.
 *
 * @since 0.3.0
 * @category models
 */
export interface Options {
  /**
   * Prefixes the tables and indexes: letters, digits and underscores, starting with a
   * letter or an underscore. Default `"bankconnect_tracker_"`.
   */
  readonly tablePrefix?: string | undefined
}

/**
 * The default table prefix.
 *
 * @since 0.3.0
 * @category constants
 */
export const defaultTablePrefix: string = Internal.defaultTablePrefix

/**
 * The store over the `SqlClient` in context, after running the migrations that have not
 * run yet.
 *
 * @since 0.3.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<TrackerStore.Service, TrackerStoreError, SqlClient.SqlClient> =
  Internal.make

/**
 * {@link make} as a layer over the `SqlClient` in context.
 *
 * @since 0.3.0
 * @category layers
 */
export const layer = (
  options?: Options
): Layer.Layer<TrackerStore.TrackerStore, TrackerStoreError, SqlClient.SqlClient> =>
  Layer.effect(TrackerStore.TrackerStore, Internal.make(options))

/**
 * The libsql store's settings.
 *
 * @since 0.3.0
 * @category models
 */
export interface LibsqlOptions extends Options {
  /**
   * The database: `file:tracker.db` (a file, created when missing), `:memory:` (gone
   * with the process), or a `libsql:` / `https:` URL of a libsql server.
   */
  readonly url: string | URL
  /** The token of a libsql server. */
  readonly authToken?: Redacted.Redacted<string> | undefined
  /**
   * SQLite's `synchronous` for a local database: `full` (the default) syncs the WAL to the
   * disk at every commit, so a commit survives a power loss; `normal` syncs at checkpoints,
   * so a commit survives the process being killed but not the machine losing power (and
   * commits cost a fraction).
   */
  readonly synchronous?: "full" | "normal" | undefined
}

/**
 * The store on SQLite through `@effect/sql-libsql` (install it beside `@effect/sql`; it
 * ships prebuilt binaries), with its own client: a local database in WAL mode, with its
 * transactions on one connection.
 *
 * @since 0.3.0
 * @category layers
 */
export const layerLibsql = (options: LibsqlOptions): Layer.Layer<TrackerStore.TrackerStore, TrackerStoreError> =>
  layer(options.tablePrefix === undefined ? undefined : { tablePrefix: options.tablePrefix }).pipe(
    Layer.provide(Libsql.layer(options))
  )

/**
 * The libsql store's URL read from `Config`: `BANKCONNECT_TRACKER_DATABASE_URL`, default
 * `file:bankconnect-tracker.db`.
 *
 * @since 0.3.0
 * @category config
 */
export const config: Config.Config<string> = Config.string("BANKCONNECT_TRACKER_DATABASE_URL").pipe(
  Config.option,
  Config.map(Option.getOrElse(() => "file:bankconnect-tracker.db"))
)

/**
 * {@link layerLibsql} with its URL read from {@link config}.
 *
 * @since 0.3.0
 * @category layers
 */
export const layerLibsqlConfig = (
  options?: Omit<LibsqlOptions, "url">
): Layer.Layer<TrackerStore.TrackerStore, TrackerStoreError | ConfigError.ConfigError> =>
  Layer.unwrapEffect(Effect.map(config, (url) => layerLibsql({ ...options, url })))
